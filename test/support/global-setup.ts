import { motoPython } from './moto-python';

/** Runs once before the test workers start; what it puts in process.env they inherit. */
export default function globalSetup(): void {
  process.env.MOTO_PYTHON = motoPython();
}
