// Offline Apex check: every class and trigger must parse, and controllers must follow the
// security rules the panel relies on. The real compile happens in an org (sf project deploy).
// Usage: node scripts/check-apex.mjs [dir ...]   (default: force-app)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';

class CollectingListener extends ApexErrorListener {
    constructor() {
        super();
        this.errors = [];
    }
    apexSyntaxError(line, column, message) {
        this.errors.push(`${line}:${column} ${message.slice(0, 160)}`);
    }
}

function* apexFiles(dir) {
    for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
            if (name !== 'node_modules') yield* apexFiles(path);
        } else if (name.endsWith('.cls') || name.endsWith('.trigger')) {
            yield path;
        }
    }
}

/** Syntax errors, then rule breaches, for one Apex source. */
export function checkApexSource(source, isTrigger) {
    const listener = new CollectingListener();
    const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
    if (isTrigger) parser.triggerUnit();
    else parser.compilationUnit();
    const problems = [...listener.errors];
    // Dynamic SOQL/SOSL is how user text ends up in a query; the package uses bind variables only.
    if (/\b(Database\.(query|countQuery|queryWithBinds|getQueryLocator)|Search\.query)\s*\(/i.test(source)) {
        problems.push('dynamic SOQL/SOSL is not allowed');
    }
    const isTest = /@IsTest/i.test(source);
    if (!isTrigger && !isTest && /@AuraEnabled/i.test(source) && !/\bwith\s+sharing\b/i.test(source)) {
        problems.push('an @AuraEnabled class must be declared "with sharing"');
    }
    return problems;
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : ['force-app'];
let failed = 0;
let checked = 0;
for (const root of roots) {
    for (const file of apexFiles(root)) {
        checked += 1;
        const problems = checkApexSource(readFileSync(file, 'utf8'), file.endsWith('.trigger'));
        for (const problem of problems) console.error(`${relative('.', file)}: ${problem}`);
        if (problems.length > 0) failed += 1;
    }
}
console.log(`apex: ${checked} files checked, ${failed} with problems`);
if (checked === 0 || failed > 0) process.exit(1);
