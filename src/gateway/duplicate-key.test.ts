// The scan for a key an object repeats (duplicate-key.ts): keys compared decoded, per object, at any
// depth; strings holding quotes, braces, colons and escapes do not mislead it.
import t from 'tap';
import { duplicateKey } from './duplicate-key.js';

t.test('a key repeated in one object, at any depth, is found', async (t) => {
  t.equal(duplicateKey('{"model":"a","model":"b"}'), 'model');
  t.equal(duplicateKey('{"a":[{"b":1},{"c":{"d":1,"d":2}}]}'), 'd');
  t.equal(duplicateKey('{"a" : 1, "b":{}, "a" :2}'), 'a', 'spaces before the colon');
  t.equal(duplicateKey('{"\\u0061":1,"a":2}'), 'a', 'an escaped spelling is the same key');
});

t.test('keys of different objects, and strings that look like keys, are not duplicates', async (t) => {
  t.equal(duplicateKey('{"a":{"a":1},"b":[{"a":1},{"a":2}]}'), undefined);
  t.equal(duplicateKey('{"a":"\\"a\\":","b":"{\\"b\\":1,\\"b\\":2}"}'), undefined);
  t.equal(duplicateKey('{"a":["a","a"],"b":"a"}'), undefined, 'array items and values are not keys');
  t.equal(duplicateKey('{"a\\\\":1,"a":2}'), undefined, 'an escaped backslash ends no string early');
  t.equal(duplicateKey('[1,"x",{}]'), undefined);
});
