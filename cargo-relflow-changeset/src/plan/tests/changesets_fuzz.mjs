// Generates random npm repositories, runs Changesets v3 (@changesets/assemble-release-plan 7 and
// @changesets/config 4, as used by @changesets/cli 3.0.3) on them, and prints JSON cases in the
// fixture and output formats of plan/tests/mod.rs:
//   npm install @changesets/assemble-release-plan@7.0.0 @changesets/config@4
//   node changesets_fuzz.mjs <seed> <count> 2>/dev/null > cases.json
//   RELFLOW_CHANGESETS_CASES=cases.json cargo test -p cargo-relflow-changeset --lib differential -- --ignored
// changesets_cases.jsonl: seed 202, count 300 (255 cases: those Changesets itself crashes on are
// skipped), one JSON object per line.
import { assembleReleasePlan } from "@changesets/assemble-release-plan";
import { validateConfig } from "@changesets/config";
const RealDate = Date;
globalThis.Date = class extends RealDate { constructor(...a) { super(...(a.length ? a : [1639354050879])); } };

let seed = Number(process.argv[2] || 1);
function rnd() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; }
const pick = (a) => a[Math.floor(rnd() * a.length)];
const VERSIONS = ["1.0.0","1.0.0","1.2.3","0.1.0","0.0.3","2.0.0","1.0.1-next.0","1.1.0-next.2","2.0.0-beta.0","1.0.0-beta"];
const NAMES = ["pkg-a","pkg-b","pkg-c","pkg-d","@s/e","pkg-f"];
const BUMPS = ["major","minor","patch","none"];
const FIELDS = [["dependencies","normal"],["devDependencies","dev"],["peerDependencies","peer"],["optionalDependencies","optional"]];
function rangeFor(v, dir) {
  return pick(["^"+v, "~"+v, v, "*", "workspace:*", "workspace:^", "workspace:~", "workspace:^"+v, "workspace:"+v, ">="+v, "latest", "file:../x", "1.x", "^0.0.0", ">=1.0.0 <2.0.0", "workspace:"+dir, "^1.0.0 || ^2.0.0", "", "0.x"]);
}
const cases = [];
const N = Number(process.argv[3] || 200);
for (let c = 0; c < N; c++) {
  const n = 2 + Math.floor(rnd() * 5);
  const names = NAMES.slice(0, n);
  const lines = [];
  const pkgs = names.map((name) => {
    const version = rnd() < 0.08 ? "-" : pick(VERSIONS);
    const priv = rnd() < 0.07;
    const dir = "packages/" + name.replace(/^@/, "").replace(/\//g, "-");
    lines.push(`pkg ${name} ${version}${priv ? " private" : ""} dir=${dir}`);
    const pj = version === "-" ? { name } : { name, version };
    if (priv) pj.private = true;
    return { dir: "/repo/" + dir, relativeDir: dir, packageJson: pj };
  });
  for (const p of pkgs) for (const q of pkgs) {
    if (p === q || rnd() > 0.3) continue;
    const nf = rnd() < 0.2 ? 2 : 1;
    const used = new Set();
    for (let k = 0; k < nf; k++) {
      const [field, kind] = pick(FIELDS);
      if (used.has(field)) continue; used.add(field);
      const r = rangeFor(q.packageJson.version ?? "1.0.0", q.relativeDir);
      p.packageJson[field] ??= {};
      p.packageJson[field][q.packageJson.name] = r;
      lines.push(`dep ${p.packageJson.name} ${q.packageJson.name} ${kind} ${r}`);
    }
  }
  const anyNoVersion = pkgs.some((p) => !p.packageJson.version);
  const pre = anyNoVersion ? undefined : pick([undefined, undefined, undefined, { mode: "pre", tag: "next" }, { mode: "exit", tag: "next" }]);
  const changesets = [];
  const nc = Math.floor(rnd() * 4);
  for (let k = 0; k < nc; k++) {
    const id = (pre && rnd() < 0.3 ? "pre/" : "") + "cs-" + k;
    const rels = [];
    const nr = Math.floor(rnd() * 3);
    const seen = new Set();
    for (let j = 0; j < nr; j++) {
      const name = rnd() < 0.03 ? "pkg-zz" : pick(names);
      if (seen.has(name)) continue; seen.add(name);
      rels.push({ name, type: pick(BUMPS) });
    }
    changesets.push({ id, summary: "s", releases: rels });
    lines.push(`cs ${id} ` + rels.map((r) => `${r.name}:${r.type}`).join(" "));
  }
  const written = {};
  const shuffled = [...names].sort(() => rnd() - 0.5);
  if (rnd() < 0.3) { written.fixed = [shuffled.slice(0, 2)]; lines.push("fixed " + written.fixed[0].join(" ")); }
  if (rnd() < 0.3) { written.linked = [shuffled.slice(2, 4)]; if (written.linked[0].length) lines.push("linked " + written.linked[0].join(" ")); else delete written.linked; }
  if (rnd() < 0.15) { written.ignore = [pick([...names, "pkg-*", "@s/*", "nope"])]; lines.push("ignore " + written.ignore[0]); }
  if (rnd() < 0.1) { written.fixed = [...(written.fixed ?? []), pick([["pkg-*", "!pkg-b"], ["@s/*"], ["pkg-a"], ["nope"], ["pkg-*"]])]; lines.push("fixed " + written.fixed[written.fixed.length - 1].join(" ")); }
  const always = rnd() < 0.25; const wsOnly = rnd() < 0.15; const privVersion = rnd() < 0.5;
  written.privatePackages = { version: privVersion, tag: false };
  if (privVersion) lines.push("set private-version");
  if (always) lines.push("set always");
  if (wsOnly) { written.bumpVersionsWithWorkspaceProtocolOnly = true; lines.push("set ws-only"); }
  written.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH = { updateInternalDependents: always ? "always" : "out-of-range" };
  let snapshot;
  if (!pre && rnd() < 0.1) {
    snapshot = { tag: rnd() < 0.5 ? "canary" : undefined };
    written.snapshot = {};
    if (rnd() < 0.5) { written.snapshot.useCalculatedVersion = true; lines.push("set calculated"); }
    if (rnd() < 0.5) { const t = pick(["{tag}", "{datetime}", "{timestamp}-{tag}", "{commit}"]); written.snapshot.prereleaseTemplate = t; lines.push("template " + t); }
    lines.push("snapshot now=1639354050879" + (snapshot.tag ? " tag=" + snapshot.tag : ""));
  }
  if (pre) lines.push(`pre ${pre.mode} ${pre.tag}`);
  const packages = { rootDir: "/repo", rootPackage: { dir: "/repo", relativeDir: ".", packageJson: { name: "root", version: "0.0.0", private: true } }, packages: pkgs, tool: { type: "pnpm" } };
  let out;
  let vc;
  try { vc = validateConfig(written, packages); } catch (e) { continue; }
  const { config, errors, warnings } = vc;
  if (errors) {
    out = "error: Found issues in your config:\n- " + [...warnings, ...errors].join("\n- ");
  } else {
    try {
      const plan = assembleReleasePlan(changesets, packages, config, pre, snapshot);
      const ls = plan.releases.map((r) => `${r.name} ${r.type} ${r.oldVersion ?? "-"} -> ${r.newVersion ?? "-"} [${r.changesets.join(",")}]`);
      for (const w of warnings) ls.push("warning: " + w);
      out = ls.join("\n");
    } catch (e) { if (e.code === "ERR_INVALID_ARG_TYPE") continue; out = "error: " + e.message; }
  }
  cases.push({ fixture: lines.join("\n"), expected: out });
}
console.log(JSON.stringify(cases));
