/**
 * Object locations as other services name them: `<bucket>/<key>` (CodeBuild's S3 source location),
 * `s3://<bucket>/<key>` and `arn:aws:s3:::<bucket>/<key>`.
 */

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

/** The bucket and key of a location, or undefined when it names no object (no bucket, or no key). */
export function parseObjectLocation(location: string): ObjectLocation | undefined {
  const path = location.replace(/^arn:aws[a-z-]*:s3:::/, '').replace(/^s3:\/\//, '');
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}
