// A key written twice in one object of a JSON text. JSON.parse keeps the last value silently, and a
// provider's parser may keep the first: the gateway would price one model (or forward one tool list)
// and the provider run another. The text has passed JSON.parse, so this scan only follows its strings
// and nesting; it is not a parser.

/** The next string, bracket or brace (the characters that open or close a scope or a key). */
const STRUCTURE = /["{}[\]]/g;
/** A JSON string starting at lastIndex (escapes included); the text is valid JSON. */
const STRING = /"(?:[^"\\]|\\.)*"/y;
const SPACE = /[ \t\n\r]*/y;

/** The first key a JSON object of `text` repeats (decoded), or undefined when none does. */
export function duplicateKey(text: string): string | undefined {
  // One entry per open scope: the keys an object has had so far; undefined for an array.
  const scopes: (Set<string> | undefined)[] = [];
  STRUCTURE.lastIndex = 0;
  for (let m = STRUCTURE.exec(text); m; m = STRUCTURE.exec(text)) {
    const at = m.index;
    const c = m[0];
    if (c === '{') scopes.push(new Set());
    else if (c === '[') scopes.push(undefined);
    else if (c === '}' || c === ']') scopes.pop();
    else {
      STRING.lastIndex = at;
      const token = STRING.exec(text)?.[0] ?? '""';
      SPACE.lastIndex = at + token.length;
      SPACE.exec(text);
      const keys = scopes.at(-1);
      if (keys && text[SPACE.lastIndex] === ':') {
        // "\u0061" and "a" are one key: compared decoded.
        const key = JSON.parse(token) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      STRUCTURE.lastIndex = at + token.length;
    }
  }
  return undefined;
}
