// Docs that cannot drift: every repository path written in the docs and in code comments must exist.
// `npm run lint` runs it; `node scripts/check-doc-paths.js [root]` checks another tree (the test's fixtures).
// Each finding is one line, `file:line: path does not exist`, and the exit code is 1 when there is one.
//
// Where it looks: every Markdown file git knows (README.md, docs/*.md, charts/**/README*, the READMEs of
// certs/, templates/, test/...), fenced code blocks included, and the comments (// and /* */, JSDoc)
// of the .ts/.js/.mjs files under src/, test/, scripts/ and bin/ (strings and code are not read).
// Not read: generated files (a first line saying `do not edit`: docs/api-reference.md, src/api/generated/;
// their text comes from schemas/), and charts/*/files/, the copies of templates/ and config/ that
// scripts/chart/chart.js writes into the chart (read at their source).
//
// What is a repository path: a word that starts with a top-level folder of the repository (read from
// `git ls-files`, so a new folder is covered; `./` before it is allowed) followed by `/`, e.g.
// `src/runtime/workqueue.ts`, `config/samples/`, `.ci/run`; or one that starts with a folder of src/
// (`controllers/reconcile/act.ts`, as design.md and comments abbreviate) and names a .ts/.js file:
// that one is looked up under src/ (and, when the folder is also a top-level one, at the top too); or
// one that starts with any other folder of the repository (`reconcile/act.ts`, `pods/follower.ts`) and
// names a .ts/.js file: some file's path must end with it.
// A word preceded by `/`, `~`, `$`, `.` or a letter is not one (`/tmp/src/x`, `~/.cache/...`,
// `https://host/org/repo/src/x`). In Markdown, link targets (`[text](install.md#permissions)`) are
// resolved relative to the file (a leading `/` from the repository root), and a `#anchor` into a
// Markdown file must name one of its headings (GitHub's slugs) or an `<a id|name="...">`.
//
// How it is read:
// - trailing punctuation is dropped (`src/runtime/workqueue.ts.`); so is what follows `#`, `§` or `:`
//   (`docs/design.md#anchors`, `src/runtime/workqueue.ts:123`);
// - `x.js` / `x.mjs` may name `x.ts` / `x.mts` (import style), and a path without an extension a module
//   or a file of any extension (`src/runtime/workqueue`, `src/runtime`, `schemas/controller-config`);
// - a glob (`*`, `**`, `?`) must match a file or folder (`src/**/*.test.ts`, `scripts/bench-*.js`);
// - `{a,b}` expands (`certs/dev/{ca.crt,tls.crt}`: each is checked);
// - a placeholder (`{service}`, `<name>`, `…`, `...`, `$VAR`, an ALL-CAPS part such as `NAME` or `task-N`
//   other than README/LICENSE/...) is not checked itself: the folder before it must exist;
// - a path git ignores (generated output such as `dist/`, `certs/dev/tls.key`) is not reported.
//
// Escapes, for a doc that names a path on purpose (an example of a user's output, a file a command
// writes): a line containing `doc-paths: ignore` is not read (`<!-- doc-paths: ignore -->` in Markdown,
// `// doc-paths: ignore` in code); a line containing `doc-paths: ignore-next` makes the next line, or the
// whole fenced block that the next line opens, not read.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CODE = /\.(?:[cm]?[jt]s)$/;
const CODE_FOLDERS = ['src/', 'test/', 'scripts/', 'bin/'];
const REAL_CAPS = new Set(['README', 'LICENSE', 'CHANGELOG', 'CONTRIBUTING', 'SECURITY', 'NOTICE', 'OWNERS']);
const SKIP_WALK = new Set(['.git', 'node_modules', 'dist', 'dist-check', '.tap', 'coverage']);

/** The repository's files (tracked and untracked but not ignored, present on disk), as posix paths. */
export function repositoryFiles(root) {
  if (existsSync(join(root, '.git'))) {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    return [...new Set(out.split('\0'))].filter((f) => f && existsSync(join(root, f)));
  }
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (SKIP_WALK.has(entry.name)) continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('');
  return files;
}

/** The lines of comments in JS/TS source: `{ line, text }`, one per source line a comment covers. */
export function codeComments(source) {
  const out = [];
  const n = source.length;
  let i = 0;
  let line = 1;
  let prev = ''; // the last significant character of code, to tell a regex literal from a division
  let word = ''; // the last word of code
  let depth = 0; // braces open in code
  const templates = []; // brace depth at each `${` of an open template literal
  const emit = (text) => {
    text.split('\n').forEach((t, k) => {
      out.push({ line: line + k, text: t });
    });
    line += text.split('\n').length - 1;
  };
  const template = () => {
    // i is just inside a template literal: run to its end or to a `${`
    while (i < n) {
      const c = source[i];
      if (c === '\\') i += 2;
      else if (c === '`') {
        i++;
        prev = '`';
        return;
      } else if (c === '$' && source[i + 1] === '{') {
        templates.push(depth);
        depth++;
        i += 2;
        prev = '{';
        return;
      } else {
        if (c === '\n') line++;
        i++;
      }
    }
  };
  if (source.startsWith('#!')) i = source.indexOf('\n') < 0 ? n : source.indexOf('\n');
  while (i < n) {
    const c = source[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i) < 0 ? n : source.indexOf('\n', i);
      out.push({ line, text: source.slice(i + 2, end) });
      i = end;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2) < 0 ? n : source.indexOf('*/', i + 2);
      emit(source.slice(i + 2, end));
      i = end + 2;
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && source[i] !== c && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      i++;
      prev = c;
    } else if (c === '`') {
      i++;
      template();
    } else if (
      c === '/' &&
      (prev === '' ||
        '(,=:[!&|?{};+-*%<>~^'.includes(prev) ||
        /^(?:return|typeof|case|in|of|void|delete|throw|yield|await)$/.test(word))
    ) {
      // a regular expression literal
      i++;
      let inClass = false;
      while (i < n && source[i] !== '\n' && (inClass || source[i] !== '/')) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i++;
      }
      i++;
      prev = '/';
      word = '';
    } else if (/[\w$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(source[j])) j++;
      word = source.slice(i, j);
      prev = 'a';
      i = j;
    } else {
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (templates.length && depth === templates[templates.length - 1]) {
          templates.pop();
          i++;
          template();
          continue;
        }
      }
      prev = c;
      word = '';
      i++;
    }
  }
  return out;
}

/** GitHub's anchors of a Markdown document: heading slugs (with -1, -2 for repeats) and explicit ids. */
export function markdownAnchors(text) {
  const anchors = new Set();
  const seen = new Map();
  let fence = null;
  for (const line of text.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (!fence) fence = f[1][0];
      else if (f[1][0] === fence) fence = null;
      continue;
    }
    if (fence) continue;
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const slug = h[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count ? `${slug}-${count}` : slug);
  }
  return anchors;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every finding in the tree at `root`: `{ file, line, path }`, sorted by file and line. */
export function checkDocPaths(root) {
  const files = repositoryFiles(root);
  const fileSet = new Set(files);
  const dirSet = new Set();
  for (const f of files) {
    for (let k = f.indexOf('/'); k > 0; k = f.indexOf('/', k + 1)) dirSet.add(f.slice(0, k));
  }
  const topDirs = [...new Set(files.filter((f) => f.includes('/')).map((f) => f.slice(0, f.indexOf('/'))))];
  const srcDirs = [...new Set(files.filter((f) => /^src\/[^/]+\//.test(f)).map((f) => f.split('/')[1]))];
  const nestedDirs = [...dirSet].filter((d) => d.includes('/')).map((d) => d.slice(d.lastIndexOf('/') + 1));
  const names = [...new Set([...topDirs, ...srcDirs, ...nestedDirs])].sort((a, b) => b.length - a.length);
  const start = new RegExp(`(?<![\\w.\\-/@~$%\\\\])(?:\\./)?(${names.map(escapeRe).join('|')})/`, 'g');
  const isTop = new Set(topDirs);
  const isSrc = new Set(srcDirs);
  const exists = (p) => fileSet.has(p) || dirSet.has(p);
  const anchorCache = new Map();
  const anchorsOf = (p) => {
    if (!anchorCache.has(p)) anchorCache.set(p, markdownAnchors(readFileSync(join(root, p), 'utf8')));
    return anchorCache.get(p);
  };

  /** Does a path (no placeholders left) name something, allowing import-style and module names? */
  const resolves = (p) => {
    const bare = p.replace(/\/+$/, '');
    if (exists(bare)) return true;
    if (/\.js$/.test(bare) && fileSet.has(bare.replace(/\.js$/, '.ts'))) return true;
    if (/\.mjs$/.test(bare) && fileSet.has(bare.replace(/\.mjs$/, '.mts'))) return true;
    if (!/\.[\w]+$/.test(bare.split('/').pop())) return files.some((f) => f.startsWith(`${bare}.`));
    return false;
  };
  const globMatches = (p) => {
    const re = new RegExp(
      `^${p
        .replace(/\/+$/, '')
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) =>
          part.startsWith('**')
            ? '(?:.*/)?'
            : part === '*'
              ? '[^/]*'
              : part === '?'
                ? '[^/]'
                : escapeRe(part),
        )
        .join('')}$`,
    );
    return files.some((f) => re.test(f)) || [...dirSet].some((d) => re.test(d));
  };
  const placeholder = (p) => {
    const at = p.search(/\{|<|…|\.\.\.|\$/);
    const caps = p
      .split('/')
      .findIndex((seg) => seg.split(/[.\-_]/).some((w) => /^[A-Z][A-Z0-9]*$/.test(w) && !REAL_CAPS.has(w)));
    const cut = Math.min(
      at < 0 ? Infinity : at,
      caps < 0 ? Infinity : p.split('/').slice(0, caps).join('/').length + 1,
    );
    return cut === Infinity ? -1 : cut;
  };

  /** Is the written path `p` (cleaned) good? */
  const good = (p) => {
    const braces = /\{([^{}]*,[^{}]*)\}/.exec(p);
    if (braces) {
      return braces[1]
        .split(',')
        .every((alt) => good(p.slice(0, braces.index) + alt + p.slice(braces.index + braces[0].length)));
    }
    const candidates = [p];
    const first = p.slice(0, p.indexOf('/'));
    if (!isTop.has(first) && !isSrc.has(first)) {
      // shorthand from a nested folder (`reconcile/act.ts`): some file's path must end with it
      if (placeholder(p) >= 0 || /[*?]/.test(p)) return true;
      const alts = [p, p.replace(/\.js$/, '.ts'), p.replace(/\.mjs$/, '.mts')];
      return alts.some((a) => files.some((f) => f.endsWith(`/${a}`)));
    }
    if (isSrc.has(first)) {
      if (isTop.has(first)) candidates.push(`src/${p}`);
      else candidates[0] = `src/${p}`;
    }
    return candidates.some((c) => {
      const cut = placeholder(c);
      const fixed = cut < 0 ? c : c.slice(0, c.lastIndexOf('/', cut - 1) + 1);
      if (cut >= 0) return !fixed || exists(fixed.replace(/\/+$/, ''));
      if (/[*?]/.test(c)) return globMatches(c);
      return resolves(c);
    });
  };

  /** The repository paths written in one line of text. */
  const pathsIn = (text) => {
    const found = [];
    for (const m of text.matchAll(start)) {
      let k = m.index + m[0].length;
      for (;;) {
        const c = text[k];
        if (c === undefined) break;
        if (/[\w.\-/*?+@~%$]/.test(c) || c === '…') k++;
        else if (c === '{' || c === '<') {
          const close = text.indexOf(c === '{' ? '}' : '>', k);
          if (close < 0 || !/^[\w.\-,…*/ ]*$/.test(text.slice(k + 1, close))) break;
          k = close + 1;
        } else break;
      }
      let path = text.slice(m.index, k).replace(/^\.\//, '');
      path = path.replace(/[.,;:!?'"`)\]]+$/, '');
      if (path.length <= m[1].length + 1 && !isTop.has(m[1])) continue;
      if (!isTop.has(m[1]) && !/\.[cm]?[jt]s$/.test(path)) continue;
      found.push(path);
    }
    return found;
  };

  const findings = [];
  const ignoredCandidates = [];
  const report = (file, line, path) => ignoredCandidates.push({ file, line, path });

  for (const file of files) {
    const markdown = file.endsWith('.md');
    if (!markdown && !(CODE.test(file) && CODE_FOLDERS.some((d) => file.startsWith(d)))) continue;
    if (/^charts\/[^/]+\/files\//.test(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    if (/do not edit/i.test(text.slice(0, text.indexOf('\n')))) continue;
    const lines = markdown ? text.split('\n').map((t, k) => ({ line: k + 1, text: t })) : codeComments(text);
    let skipNext = false;
    let skipFence = null;
    let fence = null;
    for (const { line, text: t } of lines) {
      const opens = markdown ? /^\s*(`{3,}|~{3,})/.exec(t) : null;
      if (opens) {
        if (!fence) fence = opens[1][0];
        else if (opens[1][0] === fence) fence = null;
      }
      if (skipFence) {
        if (fence === null) skipFence = null;
        continue;
      }
      if (skipNext) {
        skipNext = false;
        if (opens && fence) skipFence = fence;
        continue;
      }
      if (t.includes('doc-paths: ignore-next')) {
        skipNext = true;
        continue;
      }
      if (t.includes('doc-paths: ignore')) continue;
      let rest = t;
      if (markdown) {
        rest = t.replace(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|^\s*\[[^\]]+\]:\s*(\S+)/g, (all, inline, ref) => {
          const target = inline ?? ref;
          if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return all.startsWith(']') ? '](url)' : '';
          const [where, anchor] = target.split('#', 2);
          const path = where
            ? where.startsWith('/')
              ? where.slice(1)
              : posix.normalize(posix.join(posix.dirname(file), decodeURI(where)))
            : file;
          if (path.startsWith('../') || !exists(path.replace(/\/+$/, ''))) report(file, line, target);
          else if (anchor && path.endsWith('.md') && !anchorsOf(path).has(decodeURIComponent(anchor)))
            findings.push({ file, line, path: target });
          return all.startsWith(']') ? '](link)' : '';
        });
      }
      for (const path of pathsIn(rest)) if (!good(path)) report(file, line, path);
    }
  }

  // a missing path that git ignores is generated output (dist/, the certificates `orchestrator certs` writes)
  if (ignoredCandidates.length && existsSync(join(root, '.git'))) {
    const paths = ignoredCandidates.map(({ file, path }) =>
      file.endsWith('.md') && !path.startsWith('/') && /^[^/]*\.md|^\.\.?\//.test(path)
        ? posix.normalize(posix.join(posix.dirname(file), path.split('#')[0]))
        : path.replace(/[{<*?…$].*$/, ''),
    );
    const ignored = spawnSync('git', ['check-ignore', '--no-index', '--stdin', '-z'], {
      cwd: root,
      input: paths.join('\0'),
      encoding: 'utf8',
    });
    const set = new Set(ignored.stdout.split('\0').filter(Boolean));
    ignoredCandidates.forEach((f, k) => {
      if (!set.has(paths[k])) findings.push(f);
    });
  } else findings.push(...ignoredCandidates);

  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const findings = checkDocPaths(root);
  for (const { file, line, path } of findings) console.error(`${file}:${line}: ${path} does not exist`);
  process.exitCode = findings.length ? 1 : 0;
}
