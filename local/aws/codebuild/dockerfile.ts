/**
 * The checks `docker build` would fail on before running anything, made with the `dockerfile-ast` parser:
 * an instruction Docker does not know, an instruction without arguments, anything but ARG before the first
 * FROM, and no FROM at all.
 */
import { DockerfileParser } from 'dockerfile-ast';

/** Every instruction of the Dockerfile reference. */
const INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** Problems found in the Dockerfile text, each naming its (1-based) line; empty when it is well formed. */
export function checkDockerfile(text: string): string[] {
  const dockerfile = DockerfileParser.parse(text);
  const problems: string[] = [];
  let seenFrom = false;
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const line = instruction.getRange().start.line + 1;
    if (!INSTRUCTIONS.has(keyword)) {
      problems.push(`line ${line}: unknown instruction: ${instruction.getKeyword()}`);
      continue;
    }
    if (instruction.getArguments().length === 0) problems.push(`line ${line}: ${keyword} requires at least one argument`);
    if (keyword === 'FROM') seenFrom = true;
    else if (!seenFrom && keyword !== 'ARG') problems.push(`line ${line}: ${keyword} before the first FROM`);
  }
  if (!seenFrom) problems.push('no FROM instruction');
  return problems;
}
