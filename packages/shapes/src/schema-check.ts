/**
 * A small JSON Schema interpreter for the subset shape.schema.json uses (type, const, enum,
 * required, properties, additionalProperties: false, items, minItems, minimum, maximum,
 * exclusiveMinimum, minLength, maxLength, pattern, oneOf, local $ref). The schema file stays the
 * single statement of the layout; this reports the first violation as one line naming the field.
 */

export type JsonSchema = Record<string, unknown>;

/** Returns undefined when `value` matches, else "path: what was wrong". */
export function firstSchemaViolation(schema: JsonSchema, value: unknown, root: JsonSchema = schema, path = ''): string | undefined {
  const at = path === '' ? '(top level)' : path;
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(root, schema.$ref);
    return firstSchemaViolation(target, value, root, path);
  }
  if (Array.isArray(schema.oneOf)) {
    const failures: string[] = [];
    for (const alt of schema.oneOf as JsonSchema[]) {
      const v = firstSchemaViolation(alt, value, root, path);
      if (v === undefined) return undefined;
      failures.push(v);
    }
    // The alternative that got furthest (longest path) explains best what was meant.
    return failures.sort((a, b) => b.split(':')[0]!.length - a.split(':')[0]!.length)[0];
  }
  if ('const' in schema && value !== schema.const) return `${at}: expected ${JSON.stringify(schema.const)}, got ${show(value)}`;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as never)) {
    return `${at}: expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${show(value)}`;
  }
  const type = schema.type as string | undefined;
  if (type !== undefined && !hasType(type, value)) return `${at}: expected ${article(type)}, got ${show(value)}`;
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return `${at}: expected >= ${schema.minimum}, got ${value}`;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return `${at}: expected <= ${schema.maximum}, got ${value}`;
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      return `${at}: expected > ${schema.exclusiveMinimum}, got ${value}`;
    }
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) return `${at}: expected a non-empty string`;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return `${at}: longer than ${schema.maxLength} characters`;
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      return `${at}: ${show(value)} does not match ${schema.pattern}`;
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return `${at}: expected at least ${schema.minItems} item(s)`;
    if (schema.items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        const v = firstSchemaViolation(schema.items as JsonSchema, value[i], root, `${path}[${i}]`);
        if (v !== undefined) return v;
      }
    }
  }
  if (isObject(value)) {
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in value)) return `${join(path, key)}: missing`;
    }
    if (schema.additionalProperties === false) {
      for (const key of Object.keys(value)) if (!(key in props)) return `${join(path, key)}: unknown field`;
    }
    for (const [key, sub] of Object.entries(props)) {
      if (key in value) {
        const v = firstSchemaViolation(sub, value[key], root, join(path, key));
        if (v !== undefined) return v;
      }
    }
  }
  return undefined;
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith('#/')) throw new TypeError(`expected a local $ref, got ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
  if (!isObject(node)) throw new TypeError(`unresolvable $ref ${ref}`);
  return node;
}

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function article(type: string): string {
  return type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (isObject(v)) return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
