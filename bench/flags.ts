/** The benchmark scripts' flags (`--name value`, `--switch`), read from the command line. */
const argv = process.argv.slice(2);

/** The value after `--name`, or undefined. */
export function flag(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** `--name`'s value as a number, or `fallback`. */
export function numberFlag(name: string, fallback: number): number {
  return Number(flag(name) ?? fallback);
}

/** Whether the switch `--name` is given. */
export function hasFlag(name: string): boolean {
  return argv.includes(name);
}
