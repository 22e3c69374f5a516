import * as z from 'zod';
import { codebuildClient, createAwsClients, ecrClient } from '../../layers/adapters/aws';
import { readConfig } from '../../layers/config';
import { loadImageBuildspec } from '../../layers/deploy/buildspec';
import { ensureImage } from '../../layers/deploy/images';
import { ImageJobSchema } from '../../layers/deploy/schemas';
import { lazy, parseEvent } from '../../layers/handler-kit';

const Event = z.object({ job: ImageJobSchema, deploymentId: z.string().default('') });

const deps = lazy(() => {
  const config = readConfig(process.env, ['CODEBUILD_PROJECT', 'BUILD_SOURCE_BUCKET']);
  const clients = createAwsClients({ ecr: ecrClient, codebuild: codebuildClient });
  return {
    ecr: clients.ecr,
    codebuild: clients.codebuild,
    project: config.CODEBUILD_PROJECT,
    sourceBucket: config.BUILD_SOURCE_BUCKET,
    buildspec: loadImageBuildspec(process.env),
  };
});

/** Step: use the image, or start a CodeBuild build when ECR has no image for the content hash. */
export async function handler(event: unknown) {
  const { job, deploymentId } = parseEvent(Event, event, 'ensureImage input');
  const state = await ensureImage(job, deps(), deploymentId);
  return { ...state, round: 0 };
}
