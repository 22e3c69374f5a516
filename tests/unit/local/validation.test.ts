/** Request validation worded as AWS words it, whatever the validation library would have said. */
import { z } from 'zod';
import type { AwsServiceError } from '../../../local/aws/protocol';
import { parseInput, violationMessage } from '../../../local/aws/validation';

const schema = z.object({
  Name: z.string().min(1).max(2048),
  Type: z.enum(['String', 'SecureString']).optional(),
  MaxResults: z.number().int().min(1).max(50).optional(),
  Names: z.array(z.string().min(1).max(5)).max(10).optional(),
  Tags: z.array(z.object({ Key: z.string().min(1).max(128) })).optional(),
  Project: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9\-_]*$/).optional(),
});

function errorOf(input: unknown): AwsServiceError {
  try {
    parseInput(schema, input);
  } catch (error) {
    return error as AwsServiceError;
  }
  throw new Error('the request passed validation');
}

describe('parseInput', () => {
  it('words one violation as AWS does, with the value and the lower-camel member name', () => {
    const long = 'n'.repeat(2049);
    const error = errorOf({ Name: long });
    expect(error.code).toBe('ValidationException');
    expect(error.message).toBe(
      `1 validation error detected: Value '${long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    );
  });

  it('counts several violations and joins them with "; " in member order', () => {
    expect(errorOf({ MaxResults: 60 }).message).toBe(
      "2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; " +
        "Value '60' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
  });

  it('words enums, patterns, structures in lists and lists of strings as AWS does', () => {
    const message = errorOf({ Name: 'a', Type: 'Text', Tags: [{ Key: 'ok' }, { Key: '' }], Names: ['abcdef'], Project: '-x' }).message;
    expect(message).toBe(
      '4 validation errors detected: ' +
        "Value 'Text' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [String, SecureString]; " +
        "Value '[abcdef]' at 'names' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 5]; " +
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '-x' at 'project' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9][A-Za-z0-9\\-_]*",
    );
  });

  it('answers a member of the wrong JSON type with SerializationException, as deserialization fails first', () => {
    expect(errorOf({ Name: 'a', MaxResults: 'ten' }).code).toBe('SerializationException');
  });

  it('uses the error code the service answers validation with', () => {
    expect(() => parseInput(schema, {}, { wording: 'validation-errors', code: 'InvalidInputException' })).toThrow(expect.objectContaining({ code: 'InvalidInputException' }));
  });

  it("words ECR's answer: the first violation alone, as InvalidParameterException with the schema's own rule", () => {
    const ecrName = z.object({ repositoryName: z.string().min(2, 'must have length between 2 and 256') });
    expect(() => parseInput(ecrName, { repositoryName: 'a' }, { wording: 'invalid-parameter' })).toThrow(
      expect.objectContaining({ code: 'InvalidParameterException', message: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length between 2 and 256'" }),
    );
  });

  it('leaves the value of a sensitive member out, as AWS does for an execution input', () => {
    expect(violationMessage([{ member: 'input', value: 'secret', constraint: 'Member must have length less than or equal to 262144', sensitive: true }])).toBe(
      "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
    );
  });

  it("words ECS's answer: the first problem alone, in the schema's own words; a wrong type still fails deserialization", () => {
    const ecs = z.object({ tasks: z.array(z.string(), { error: 'Tasks cannot be empty.' }).min(1, 'Tasks cannot be empty.'), cluster: z.string().optional() });
    const style = { wording: 'service-message', code: 'InvalidParameterException' } as const;
    const fail = (input: unknown) => {
      try {
        parseInput(ecs, input, style);
      } catch (error) {
        return { code: (error as AwsServiceError).code, message: (error as AwsServiceError).message };
      }
      throw new Error('the request passed validation');
    };
    expect(fail({ tasks: [] })).toEqual({ code: 'InvalidParameterException', message: 'Tasks cannot be empty.' });
    expect(fail({})).toEqual({ code: 'InvalidParameterException', message: 'Tasks cannot be empty.' });
    expect(fail({ tasks: ['t'], cluster: 42 })).toEqual({ code: 'SerializationException', message: "Cannot deserialize 'cluster': expected string, received number" });
  });

  it('leaves out the values of the members a style names sensitive', () => {
    const sfn = z.object({ cause: z.string().max(3).optional(), name: z.string().max(3).optional() });
    expect(() => parseInput(sfn, { cause: 'secret', name: 'long' }, { wording: 'validation-errors', code: 'ValidationException', sensitive: new Set(['cause']) })).toThrow(
      "2 validation errors detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 3; " +
        "Value 'long' at 'name' failed to satisfy constraint: Member must have length less than or equal to 3",
    );
  });

  it('reads a member sent as null as a member not sent, as the AWS JSON protocols do', () => {
    expect(parseInput(schema, { Name: 'n', Type: null, Tags: [{ Key: 'k' }] })).toEqual({ Name: 'n', Tags: [{ Key: 'k' }] });
    expect(errorOf({ Name: null }).message).toBe("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  });

  it('words hand-written checks the same way', () => {
    expect(violationMessage([{ member: 'path', value: 'x', constraint: 'Member must satisfy regular expression pattern: /.*' }])).toBe(
      "1 validation error detected: Value 'x' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: /.*",
    );
  });
});
