import * as z from 'zod';
import { codebuildClient, createAwsClients } from '../../layers/adapters/aws';
import { checkImageBuild } from '../../layers/deploy/images';
import { lazy, parseEvent } from '../../layers/handler-kit';

const Event = z.object({
  build: z.object({ name: z.string(), buildId: z.string(), imageUri: z.string(), round: z.number().int().min(0).default(0) }),
});

const deps = lazy(() => ({ codebuild: createAwsClients({ codebuild: codebuildClient }).codebuild }));

/** Step: poll one build; `BuildFailed` names the phase and CodeBuild's reason. */
export async function handler(event: unknown) {
  const { build } = parseEvent(Event, event, 'checkImageBuild input');
  const state = await checkImageBuild(build, deps());
  return { ...state, round: build.round + 1 };
}
