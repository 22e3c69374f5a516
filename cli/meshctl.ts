import { Command } from 'commander';
import { validateCommand } from './validate';

/** The `meshctl` command line (DESIGN.md section 4). Each command lives in its own file of `cli/`. */
export function buildProgram(): Command {
  const program = new Command('meshctl')
    .description('Deploy and operate a Consul service mesh on Amazon ECS')
    .showHelpAfterError();

  program
    .command('validate')
    .argument('<spec>', 'path to a mesh spec (YAML or JSON)')
    .description('validate a mesh spec without touching anything; one line per problem, naming its path')
    .action((spec: string) => {
      process.exitCode = validateCommand(spec);
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
