/** The AWS error code an SDK call failed with (the SDK sets it as the error's `name`), or undefined on success. */
export async function errorName(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as Error).name;
  }
}
