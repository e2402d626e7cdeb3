import { Initial1763769600000 } from './1763769600000-Initial';

/** Every migration, oldest first. */
export const MIGRATIONS = [Initial1763769600000];
