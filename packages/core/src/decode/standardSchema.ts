/**
 * The Standard Schema v1 interface (https://standardschema.dev). The spec asks libraries
 * to copy the type rather than depend on a package, so there is no runtime dependency:
 * zod 4, valibot 1 and arktype schemas all fit it through their `~standard` property.
 */

import type { ValidationIssue } from "../errors.js";

/** A schema that any Standard Schema v1 library (zod 4, valibot 1, arktype) implements. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

/** The types of the Standard Schema v1 interface. */
export declare namespace StandardSchemaV1 {
  /** The Standard Schema properties. */
  export interface Props<Input = unknown, Output = Input> {
    /** The version of the standard. */
    readonly version: 1;
    /** The schema library's name. */
    readonly vendor: string;
    /** Validates an unknown value; asynchronous when the schema has asynchronous checks. */
    readonly validate: (
      value: unknown,
      options?: StandardSchemaV1.Options | undefined,
    ) => Result<Output> | Promise<Result<Output>>;
    /** Inferred types of the schema (type-level only). */
    readonly types?: Types<Input, Output> | undefined;
  }

  /** The result of `validate`. */
  export type Result<Output> = SuccessResult<Output> | FailureResult;

  /** Validation passed. */
  export interface SuccessResult<Output> {
    /** The typed output value. */
    readonly value: Output;
    /** No issues means success. */
    readonly issues?: undefined;
  }

  /** Options of `validate`. */
  export interface Options {
    /** Vendor-specific parameters. */
    readonly libraryOptions?: Record<string, unknown> | undefined;
  }

  /** Validation failed. */
  export interface FailureResult {
    /** Every problem found. */
    readonly issues: ReadonlyArray<Issue>;
  }

  /** One problem found by validation. */
  export interface Issue {
    /** What is wrong. */
    readonly message: string;
    /** Where: property keys, or segments holding one. */
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }

  /** A path segment given as an object. */
  export interface PathSegment {
    /** The property key of the segment. */
    readonly key: PropertyKey;
  }

  /** The schema's input and output types. */
  export interface Types<Input = unknown, Output = Input> {
    /** The input type. */
    readonly input: Input;
    /** The output type. */
    readonly output: Output;
  }

  /** The input type of a schema. */
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["input"];

  /** The output type of a schema. */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["output"];
}

/** True when `value` looks like a Standard Schema v1 (has `~standard.validate` and version 1). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: unknown })["~standard"];
  return (
    typeof props === "object" &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === "function"
  );
}

/**
 * Turns Standard Schema issues into our {@link ValidationIssue}s: path segments may be
 * property keys or `{ key }` objects, and keys may be symbols; ours are strings and numbers.
 */
export function toValidationIssues(issues: ReadonlyArray<StandardSchemaV1.Issue>): ValidationIssue[] {
  const result: ValidationIssue[] = [];
  for (const issue of issues) {
    const path: (string | number)[] = [];
    if (issue.path) {
      for (const segment of issue.path) {
        const key = typeof segment === "object" && segment !== null ? segment.key : segment;
        path.push(typeof key === "number" ? key : String(key));
      }
    }
    result.push({ message: String(issue.message), path });
  }
  return result;
}
