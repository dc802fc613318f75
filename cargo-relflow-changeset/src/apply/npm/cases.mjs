// Records what Changesets v3 itself writes into dependents' package.json files: runs the real
// `applyReleasePlan` of @changesets/apply-release-plan 8.1 (the one @changesets/cli 3.0.3 uses)
// on a temporary repository with one released package, `dep` (in packages/dep), and one
// dependent per range below, each listing `dep` with that range in all four dependency fields.
// Every scenario (a release of `dep` and a config) prints one JSON line listing the ranges it
// rewrote as [range, new range in dependencies, devDependencies and optionalDependencies (which
// always agree), new range in peerDependencies], with null where the range was kept:
//   node cases.mjs > cases.jsonl      (RELFLOW_TOOLS: the folder `cargo xtask tools` installs
//                                      into, default target/tools/node of this repository)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const tools = process.env.RELFLOW_TOOLS ?? path.join(import.meta.dirname, "../../../../target/tools/node");
const load = (m) => import(pathToFileURL(path.join(tools, "node_modules", m)).href);
const { applyReleasePlan } = await load("@changesets/apply-release-plan/dist/index.mjs");
const { defaultConfig } = await load("@changesets/config/dist/index.mjs");

const RANGES = [
  "^1.0.0", "~1.0.0", "1.0.0", "=1.0.0", "v1.0.0", " ^1.0.0", ">=1.0.0", ">1.0.0", "<=1.0.0",
  "<2.0.0", ">=1.0.0 <2.0.0", "<2.0.0 >=1.0.0", ">=1.0.0 <1.0.5", ">1.0.0 <=2.0.0",
  ">=1 <2", "1.x", "1", "*", "x", "", ">=0.0.0", "*||1.0.0", "^1.0.0 || ^2.0.0",
  "1.0.0 - 2.0.0", "^0.1.0", "~0.1.0", "0.1.0", "^1.0.0-next.0", "^1.1.0-next.0",
  "latest", "file:../dep", "link:../dep", "npm:dep@^1.0.0", "workspace:*", "workspace:^",
  "workspace:~", "workspace:^1.0.0", "workspace:~1.0.0", "workspace:1.0.0", "workspace:*||1.0.0",
  "workspace:>=1.0.0 <2.0.0", "workspace:packages/dep", "workspace:../dep", "workspace:x",
];
const FIELDS = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];
// [old version, bump, new version, --snapshot]
const RELEASES = [
  ["1.0.0", "patch", "1.0.1", false],
  ["1.0.0", "minor", "1.1.0", false],
  ["1.0.0", "major", "2.0.0", false],
  ["1.0.0", "none", "1.0.0", false],
  ["0.1.0", "patch", "0.1.1", false],
  ["0.1.0", "minor", "0.2.0", false],
  ["0.1.0", "major", "1.0.0", false],
  ["1.0.0", "patch", "1.0.1-next.0", false],
  ["1.0.0", "minor", "1.1.0-next.0", false],
  ["1.0.0-next.0", "patch", "1.0.0", false],
  ["1.0.0", "minor", "0.0.0-canary-20211213000730", true],
  ["1.0.0", "minor", "1.1.0-canary-20211213000730", true],
];
const CONFIGS = [
  {},
  { updateInternalDependencies: "minor" },
  { onlyUpdatePeerDependentsWhenOutOfRange: true },
  { bumpVersionsWithWorkspaceProtocolOnly: true },
];

for (const [oldVersion, type, newVersion, snapshot] of RELEASES) {
  for (const settings of CONFIGS) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "relflow-apply-"));
    const packages = [{ name: "dep", version: oldVersion }].concat(
      RANGES.map((range, i) => ({
        name: `d${i}`,
        version: "1.0.0",
        ...Object.fromEntries(FIELDS.map((f) => [f, { dep: range }])),
      })),
    ).map((packageJson) => {
      const dir = path.join(root, "packages", packageJson.name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(packageJson, null, 2) + "\n");
      return { dir, relativeDir: `packages/${packageJson.name}`, packageJson };
    });
    const releases = [{ name: "dep", type, oldVersion, newVersion, changesets: [] }].concat(
      RANGES.map((_, i) => ({ name: `d${i}`, type: "none", oldVersion: "1.0.0", newVersion: "1.0.0", changesets: [] })),
    );
    const config = {
      ...defaultConfig,
      changelog: false,
      format: false,
      updateInternalDependencies: settings.updateInternalDependencies ?? "patch",
      bumpVersionsWithWorkspaceProtocolOnly: settings.bumpVersionsWithWorkspaceProtocolOnly ?? false,
      ___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH: {
        ...defaultConfig.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH,
        onlyUpdatePeerDependentsWhenOutOfRange: settings.onlyUpdatePeerDependentsWhenOutOfRange ?? false,
      },
    };
    await applyReleasePlan(
      { changesets: [], releases, preState: undefined },
      { tool: { type: "npm" }, packages, rootDir: root },
      config,
      snapshot ? "canary" : undefined,
    );
    const rewritten = [];
    RANGES.forEach((range, i) => {
      const written = JSON.parse(fs.readFileSync(path.join(root, "packages", `d${i}`, "package.json"), "utf8"));
      const [other, dev, peer, optional] = FIELDS.map((f) => (written[f].dep === range ? null : written[f].dep));
      if (dev !== other || optional !== other) throw new Error(`fields disagree on ${range}`);
      if (other !== null || peer !== null) rewritten.push([range, other, peer]);
    });
    fs.rmSync(root, { recursive: true, force: true });
    console.log(JSON.stringify({ old: oldVersion, bump: type, new: newVersion, snapshot, settings, rewritten }));
  }
}
