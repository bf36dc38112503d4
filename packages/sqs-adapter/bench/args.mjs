// The benches' command line: `--name value` pairs.

/** The value after `--name` in `argv`, or `fallback` when it is not there. */
export function argOf(argv, name, fallback) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
}
