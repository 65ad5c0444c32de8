/**
 * Checks a JSON body against a model that @hubspot/api-client generates from HubSpot's OpenAPI
 * descriptions, read from the installed package (nothing vendored): each model's
 * `attributeTypeMap` gives the JSON name and type of every field, and its `.d.ts` tells which
 * fields are required (declared without `?`). Returns the problems found, by JSON path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const codegen = join(dirname(require.resolve('@hubspot/api-client')), 'codegen');

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap(): Attribute[] };

/** A generated API module, e.g. `crm/objects/emails`, `crm/associations/v4`, `crm/owners`. */
export class SdkModels {
  private readonly exports: Record<string, unknown>;
  private readonly modelsDir: string;

  constructor(module: string) {
    this.modelsDir = join(codegen, module, 'models');
    this.exports = require(join(this.modelsDir, 'ObjectSerializer.js')) as Record<string, unknown>;
  }

  private model(type: string): { attributes: Attribute[]; required: Set<string> } | undefined {
    // The generated APIs name the error envelope `Error`; its class is `ModelError`.
    const name = type === 'Error' ? 'ModelError' : type;
    const cls = this.exports[name] as ModelClass | undefined;
    if (!cls?.getAttributeTypeMap) return undefined;
    const declaration = readFileSync(join(this.modelsDir, `${name}.d.ts`), 'utf8');
    const required = new Set([...declaration.matchAll(/^ {4}'([^']+)'(\?)?:/gm)].filter((m) => !m[2]).map((m) => m[1]!));
    return { attributes: cls.getAttributeTypeMap(), required };
  }

  /** Problems of `value` as a `type` (a model name, `Array<…>`, a map, or a primitive). */
  check(value: unknown, type: string, path = '$'): string[] {
    if (type === 'any') return [];
    const array = /^Array<(.+)>$/.exec(type);
    if (array) {
      if (!Array.isArray(value)) return [`${path}: expected an array (${type})`];
      return value.flatMap((item, i) => this.check(item, array[1]!, `${path}[${i}]`));
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object (${type})`];
      return Object.entries(value).flatMap(([k, v]) => this.check(v, map[1]!, `${path}.${k}`));
    }
    const union = /^[\w]+( \| [\w]+)+$/.test(type) ? type.split(' | ') : null;
    if (union) {
      if (value === null) return union.includes('null') ? [] : [`${path}: null is not a ${type}`];
      return union.some((t) => t !== 'null' && this.check(value, t, path).length === 0) ? [] : [`${path}: expected ${type}, got ${JSON.stringify(value)}`];
    }
    if (type === 'string') return typeof value === 'string' ? [] : [`${path}: expected a string, got ${JSON.stringify(value)}`];
    if (type === 'number') return typeof value === 'number' ? [] : [`${path}: expected a number, got ${JSON.stringify(value)}`];
    if (type === 'boolean') return typeof value === 'boolean' ? [] : [`${path}: expected a boolean, got ${JSON.stringify(value)}`];
    if (type === 'Date') {
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)) ? [] : [`${path}: expected an ISO date-time, got ${JSON.stringify(value)}`];
    }
    const model = this.model(type);
    // Enums are not classes: the generated code carries them as strings.
    if (!model) return type.endsWith('Enum') ? (typeof value === 'string' ? [] : [`${path}: expected a ${type} string`]) : [`${path}: unknown model ${type}`];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected a ${type} object`];
    const body = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const attribute of model.attributes) {
      const present = body[attribute.baseName] !== undefined && body[attribute.baseName] !== null;
      if (!present) {
        if (model.required.has(attribute.name)) problems.push(`${path}.${attribute.baseName}: required by ${type}, missing`);
        continue;
      }
      problems.push(...this.check(body[attribute.baseName], attribute.type, `${path}.${attribute.baseName}`));
    }
    return problems;
  }
}
