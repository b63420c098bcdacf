import fc from 'fast-check';

/**
 * Hostile text for every field that can reach a host: shell metacharacters, substitutions,
 * option-looking words, quotes, newlines and control characters, each trying to create a
 * sentinel file `${dir}/pwned-N`. Shared by the unit property test and the bed e2e test.
 */
export function hostileValue(dir: string): fc.Arbitrary<string> {
  const touch = fc.nat({ max: 999 }).map((n) => `touch ${dir}/pwned-${n}`);
  const payload = fc.oneof(
    touch.map((t) => `$(${t})`),
    touch.map((t) => `\`${t}\``),
    touch.map((t) => `;${t};`),
    touch.map((t) => `|${t}`),
    touch.map((t) => `&&${t}`),
    touch.map((t) => `\n${t}\n`),
    touch.map((t) => `'${t}'`),
    touch.map((t) => `"$(${t})"`),
    touch.map((t) => `-oProxyCommand=${t}`),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: sh's ${IFS}, not a JS template
    touch.map((t) => `\${IFS}${t.replace(/ /g, '${IFS}')}`),
    fc.constantFrom('\u001b]0;x\u0007', '\u0000', '\r', '*', '?', '~', '%s%n', '../../etc/shadow', '-rf'),
  );
  return fc
    .tuple(fc.string({ maxLength: 8 }), payload, fc.string({ maxLength: 8 }))
    .map(([a, p, b]) => `${a}${p}${b}`);
}
