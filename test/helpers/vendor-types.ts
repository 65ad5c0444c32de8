/**
 * The vendors' own typings, read from the installed packages with the TypeScript compiler API
 * (nothing vendored): the properties an interface declares, inherited ones included, and the
 * JSON kind each one takes, so contract tests can hold emulator responses against them.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

export type JsonKind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';

/** Property name → the JSON kinds its declared type allows. */
export type Shape = Map<string, Set<JsonKind>>;

const require = createRequire(import.meta.url);

function kindsOf(type: ts.Type, checker: ts.TypeChecker): Set<JsonKind> {
  const out = new Set<JsonKind>();
  const parts = type.isUnion() ? type.types : [type];
  for (const t of parts) {
    const flags = t.getFlags();
    if (flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)) out.add('null');
    else if (flags & ts.TypeFlags.StringLike) out.add('string');
    else if (flags & ts.TypeFlags.NumberLike) out.add('number');
    else if (flags & ts.TypeFlags.BooleanLike) out.add('boolean');
    else if (checker.isArrayType(t)) out.add('array');
    else if (flags & ts.TypeFlags.Any) for (const k of ['string', 'number', 'boolean', 'array', 'object'] as const) out.add(k);
    else out.add('object');
  }
  return out;
}

/**
 * Reads interfaces from an installed package's declarations: `file` inside the package (default
 * its `types` entry); `names` maps a label to the interface name (e.g. `message: 'Message'`).
 */
export function readVendorShapes(declarationModule: string, names: Record<string, string>, file?: string): Record<string, Shape> {
  const manifest = require.resolve(`${declarationModule}/package.json`);
  const types = file ?? (require(manifest) as { types?: string; typings?: string }).types ?? 'index.d.ts';
  const declarations = path.join(path.dirname(manifest), types);
  const program = ts.createProgram([declarations], { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(declarations);
  if (!source) throw new Error(`no declarations at ${declarationModule}`);
  const wanted = new Map(Object.entries(names).map(([label, name]) => [name, label]));
  const shapes: Record<string, Shape> = {};
  const visit = (node: ts.Node) => {
    if (ts.isInterfaceDeclaration(node) && wanted.has(node.name.text)) {
      const type = checker.getTypeAtLocation(node);
      const shape: Shape = new Map();
      for (const property of checker.getPropertiesOfType(type)) {
        shape.set(property.getName(), kindsOf(checker.getTypeOfSymbolAtLocation(property, node), checker));
      }
      shapes[wanted.get(node.name.text)!] = shape;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const label of Object.keys(names)) if (!shapes[label]) throw new Error(`${declarationModule}: no interface ${names[label]}`);
  return shapes;
}

/** The JSON kind of a value. */
export function jsonKind(value: unknown): JsonKind {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonKind;
}

/**
 * Every property of `value` (OData annotations `@…` aside) the vendor shape does not declare,
 * or declares with another kind; empty when the value fits.
 */
export function misfits(value: Record<string, unknown>, shape: Shape): string[] {
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('@')) continue;
    const kinds = shape.get(key);
    if (!kinds) out.push(`${key}: not in the vendor type`);
    else if (!kinds.has(jsonKind(v))) out.push(`${key}: ${jsonKind(v)}, vendor says ${[...kinds].join('|')}`);
  }
  return out;
}
