#!/usr/bin/env node
// Regenerates glue-schema/sagemaker_training_job.json from the seed TSV (the contract).
// The JSON is the project's one schema; this script exists so a seed change is applied by
// a tool, not by hand, and test/schema/seed-contract.test.ts proves the two agree.
const fs = require('node:fs');
const path = require('node:path');

const GLUE_COMMENT_LIMIT = 255;
const GLUE_TYPE_BY_SEED_TYPE = {
  string: 'string',
  int64: 'bigint',
  bool: 'boolean',
  timestamp: 'timestamp',
  hstore: 'map<string,string>',
  json: 'string',
};

function cutAtWordBoundary(text, limit) {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit + 1);
  const lastSpace = cut.lastIndexOf(' ');
  return (lastSpace > 0 ? cut.slice(0, lastSpace) : text.slice(0, limit)).replace(/[\s,;:]+$/, '');
}

const seedPath = process.argv[2] ?? path.join(__dirname, '..', 'glue-schema', 'seed', 'sagemaker_training_job.columns.tsv');
const outPath = path.join(__dirname, '..', 'glue-schema', 'sagemaker_training_job.json');
const [, ...lines] = fs
  .readFileSync(seedPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');
const columns = lines.map((line) => {
  const [name, seedType, description = ''] = line.split('\t');
  const type = GLUE_TYPE_BY_SEED_TYPE[seedType];
  if (!type) throw new Error(`Seed column ${name} has type ${seedType}; allowed: ${Object.keys(GLUE_TYPE_BY_SEED_TYPE).join(', ')}`);
  return { name, type, comment: cutAtWordBoundary(description.trim(), GLUE_COMMENT_LIMIT) };
});

const schema = {
  database: 'sagemaker_inventory',
  table: 'sagemaker_training_job',
  columns,
  partitionKeys: [
    { name: 'snapshot_date', type: 'string', comment: 'UTC date of the snapshot, YYYY-MM-DD.' },
    { name: 'region', type: 'string', comment: 'AWS Region the training jobs were collected from.' },
  ],
};
fs.writeFileSync(outPath, JSON.stringify(schema, null, 2) + '\n');
console.log(`wrote ${outPath}: ${columns.length} columns`);
