// Offline packaging checks for the SFDX project: every LWC bundle has its .js-meta.xml,
// every Apex class its .cls-meta.xml, every XML file is well-formed, all API versions agree
// with sfdx-project.json, and `sf project convert source` (the pinned CLI) succeeds.
// Usage: node scripts/check-packaging.mjs [--project <dir>] [--skip-convert]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const projectIndex = args.indexOf('--project');
const project = projectIndex >= 0 ? resolve(args[projectIndex + 1]) : packageRoot;
const skipConvert = args.includes('--skip-convert');
const problems = [];
const fail = (message) => problems.push(message);

function* walk(dir) {
    for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
            if (name !== 'node_modules' && name !== '__tests__') yield* walk(path);
        } else {
            yield path;
        }
    }
}

const sfdxProject = JSON.parse(readFileSync(join(project, 'sfdx-project.json'), 'utf8'));
const apiVersion = sfdxProject.sourceApiVersion;
if (!/^\d+\.0$/.test(apiVersion ?? '')) fail(`sfdx-project.json: sourceApiVersion "${apiVersion}" is not NN.0`);
const sourceDirs = (sfdxProject.packageDirectories ?? []).map((entry) => join(project, entry.path));
if (sourceDirs.length === 0) fail('sfdx-project.json: no packageDirectories');

// Tag values stay strings so "62.0" is compared as written.
const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });
let xmlFiles = 0;
let bundles = 0;
for (const sourceDir of sourceDirs) {
    if (!existsSync(sourceDir)) {
        fail(`${relative(project, sourceDir)}: package directory missing`);
        continue;
    }
    const files = [...walk(sourceDir)];
    for (const file of files.filter((f) => f.endsWith('.xml'))) {
        xmlFiles += 1;
        const where = relative(project, file);
        const xml = readFileSync(file, 'utf8');
        const valid = XMLValidator.validate(xml);
        if (valid !== true) {
            fail(`${where}: not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
            continue;
        }
        const root = Object.entries(parser.parse(xml)).find(([name]) => name !== '?xml');
        if (!root) {
            fail(`${where}: no root element`);
            continue;
        }
        if (root[1]?.['@_xmlns'] !== 'http://soap.sforce.com/2006/04/metadata') {
            fail(`${where}: root element lacks the Metadata API namespace`);
        }
        const version = root[1]?.apiVersion;
        if (version !== undefined && String(version).trim() !== apiVersion) {
            fail(`${where}: apiVersion ${version} differs from sourceApiVersion ${apiVersion}`);
        }
        if (/\.(js|cls|trigger)-meta\.xml$/.test(file) && version === undefined) {
            fail(`${where}: apiVersion missing`);
        }
    }
    const bundleDirs = new Set(files.map(dirname).filter((d) => basename(dirname(d)) === 'lwc'));
    for (const bundle of bundleDirs) {
        bundles += 1;
        const name = basename(bundle);
        for (const required of [`${name}.js`, `${name}.js-meta.xml`]) {
            if (!existsSync(join(bundle, required))) fail(`${relative(project, bundle)}: ${required} missing`);
        }
    }
    for (const cls of files.filter((f) => f.endsWith('.cls') || f.endsWith('.trigger'))) {
        if (!existsSync(`${cls}-meta.xml`)) fail(`${relative(project, cls)}: -meta.xml missing`);
    }
}

let converted = 'skipped';
if (!skipConvert && problems.length === 0) {
    const out = mkdtempSync(join(tmpdir(), 'mailbridge-sf-convert-'));
    try {
        const sf = join(packageRoot, 'node_modules', '.bin', 'sf');
        const stdout = execFileSync(
            sf,
            ['project', 'convert', 'source', '--root-dir', sourceDirs[0], '--output-dir', join(out, 'mdapi'), '--json'],
            {
                cwd: project,
                encoding: 'utf8',
                // The CLI warns about its own dev-only plugins on stderr; keep it for failures only.
                stdio: ['ignore', 'pipe', 'pipe'],
                timeout: 120_000,
                env: {
                    ...process.env,
                    SF_DISABLE_TELEMETRY: 'true',
                    SF_AUTOUPDATE_DISABLE: 'true',
                    SF_SKIP_NEW_VERSION_CHECK: 'true',
                    SF_HIDE_RELEASE_NOTES: 'true'
                }
            }
        );
        const result = JSON.parse(stdout);
        const manifest = readFileSync(join(out, 'mdapi', 'package.xml'), 'utf8');
        const version = /<version>([^<]+)<\/version>/.exec(manifest)?.[1];
        if (result.status !== 0) fail(`sf project convert source: status ${result.status}`);
        if (version !== apiVersion) fail(`converted package.xml version ${version} differs from ${apiVersion}`);
        const shipped = readdirSync(join(out, 'mdapi'), { recursive: true }).map(String);
        if (shipped.some((f) => f.split(/[\\/]/).includes('__tests__'))) {
            fail('converted output contains __tests__ (check .forceignore)');
        }
        converted = `ok (${(manifest.match(/<members>/g) ?? []).length} members)`;
    } catch (error) {
        fail(`sf project convert source failed: ${String(error.stderr || error.message).slice(0, 500)}`);
    } finally {
        rmSync(out, { recursive: true, force: true });
    }
}

for (const problem of problems) console.error(`packaging: ${problem}`);
console.log(
    `packaging: ${xmlFiles} XML files, ${bundles} LWC bundles, API ${apiVersion}, convert ${converted}, ${problems.length} problems`
);
process.exit(problems.length > 0 || xmlFiles === 0 ? 1 : 0);
