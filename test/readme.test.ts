import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverServices } from '../deploy/discover';
import { isDetailType } from '../shared/contract/events';

/**
 * The README is a landing page: its first screen holds the picture of the main path, the two commands and the
 * contents, and every deeper section is one link away, in the README or in docs/. Links between them must land.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const FIRST_SCREEN = 60;
const firstScreen = readme.split('\n').slice(0, FIRST_SCREEN).join('\n');

const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.md'))
  .map((file) => join('docs', file));
const markdownFiles = ['README.md', ...docs];

/** The text outside fenced code blocks, where headings and links mean what they say. */
const outsideCode = (text: string) => text.replace(/^```[\s\S]*?^```$/gm, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of outsideCode(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every link target of a Markdown file that is not on another site. */
const localLinks = (markdown: string) =>
  [...outsideCode(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));

describe('the README as a landing page', () => {
  it('shows the main path as a picture on its first screen', () => {
    expect(firstScreen).toMatch(/```mermaid\nflowchart LR\n/);
  });

  it('has two commands on its first screen, and they are npm ci and npm start', () => {
    const section = /^## Two commands\n\n```sh\n([\s\S]*?)\n```/m.exec(firstScreen)?.[1];
    expect(section, 'a "## Two commands" section with a sh block in the first 60 lines').toBeDefined();
    const commands = section!.split('\n').map((line) => line.replace(/#.*$/, '').trim());
    expect(commands.filter((c) => c !== '')).toEqual(['npm ci', 'npm start']);
  });

  it('has its contents on its first screen, linking every section of the README and every doc', () => {
    const contents = /^## Contents\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(firstScreen)?.[1];
    expect(contents, 'a "## Contents" section in the first 60 lines').toBeDefined();
    const linked = new Set(localLinks(contents!));
    const sections = [...outsideCode(readme).matchAll(/^## (.+)$/gm)]
      .map((m) => `#${[...anchorsOf(`## ${m[1]}`)][0]}`)
      .filter((anchor) => !['#two-commands', '#contents'].includes(anchor));
    expect(sections.filter((anchor) => !linked.has(anchor))).toEqual([]);
    const docsLinked = new Set([...linked].map((target) => target.split('#')[0]));
    expect(docs.filter((doc) => !docsLinked.has(doc))).toEqual([]);
  });

  it('draws only hops the declarations have: each service emits the event it passes on, and the next consumes it', async () => {
    const picture = /```mermaid\n([\s\S]*?)```/.exec(firstScreen)![1]!;
    const services = new Map((await discoverServices(root)).map((s) => [s.name.replace(/-/g, '_'), s.declaration]));
    const hops = [...picture.matchAll(/^\s*(\w+)(?:\[[^\]]*\])? -->\|([^|]+)\| (\w+)/gm)]
      .map(([, from, label, to]) => ({ from: from!, label: label!, to: to! }))
      .filter((hop) => services.has(hop.from));
    expect(hops.length).toBeGreaterThanOrEqual(5);
    for (const { from, label, to } of hops) {
      expect(isDetailType(label), `${from} -->|${label}|: not a detail-type`).toBe(true);
      const consumer = services.get(to);
      expect(services.get(from)!.emits, `${from} emits ${label}`).toContain(label);
      expect(
        consumer?.kind === 'consumer' && consumer.consumes.includes(label as never),
        `${to} consumes ${label}`,
      ).toBe(true);
    }
  });
});

describe('links in the README and docs/', () => {
  it.each(markdownFiles)('every link in %s lands on a file, and an anchor on a heading there', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const broken: string[] = [];
    for (const target of localLinks(text)) {
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const resolved = path === '' ? join(root, file) : join(root, dirname(file), decodeURIComponent(path));
      if (!existsSync(resolved)) {
        broken.push(`${target} (no ${relative(root, resolved)})`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
        broken.push(`${target} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds a broken link and a missing anchor (the check can fail)', () => {
    expect(localLinks('[a](docs/nowhere.md) [b](https://example.com) [c](#x)')).toEqual(['docs/nowhere.md', '#x']);
    expect(anchorsOf("## The operator's command line\n## A: b, `c` (d)\n## A: b, `c` (d)")).toEqual(
      new Set(['the-operators-command-line', 'a-b-c-d', 'a-b-c-d-1']),
    );
  });
});
