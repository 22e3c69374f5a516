/**
 * CodeBuild's build phases and their transitions ("Build phase transitions" in the CodeBuild user guide).
 * A failure before BUILD skips straight to FINALIZING; after a failed BUILD, POST_BUILD still runs (the
 * buildspec can read CODEBUILD_BUILD_SUCCEEDING) and UPLOAD_ARTIFACTS is always attempted.
 */

export const PHASES = [
  'SUBMITTED',
  'QUEUED',
  'PROVISIONING',
  'DOWNLOAD_SOURCE',
  'INSTALL',
  'PRE_BUILD',
  'BUILD',
  'POST_BUILD',
  'UPLOAD_ARTIFACTS',
  'FINALIZING',
  'COMPLETED',
] as const;
export type PhaseType = (typeof PHASES)[number];

export type PhaseStatus = 'SUCCEEDED' | 'FAILED' | 'FAULT' | 'TIMED_OUT' | 'IN_PROGRESS' | 'STOPPED';
export type BuildStatus = PhaseStatus;

/** Phases that do work (and take time); COMPLETED only marks the end. */
export const TIMED_PHASES = PHASES.length - 1;

/** The phase after `phase`, given whether `phase` failed. */
export function nextPhase(phase: PhaseType, failed: boolean): PhaseType {
  if (failed) {
    if (phase === 'BUILD') return 'POST_BUILD';
    if (phase === 'POST_BUILD') return 'UPLOAD_ARTIFACTS';
    if (phase !== 'FINALIZING') return 'FINALIZING';
  }
  return PHASES[Math.min(PHASES.indexOf(phase) + 1, PHASES.length - 1)];
}
