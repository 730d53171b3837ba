// The resources and scopes the @azure/identity tests ask for, and the tenant they sign in at.
import { SAMPLE_IDS } from '../../src/index.ts';

export const T = SAMPLE_IDS.contoso;
export const GRAPH = 'https://graph.microsoft.com';
export const USER_READ = `${GRAPH}/User.Read`;
export const GRAPH_DEFAULT = `${GRAPH}/.default`;
export const ARM_DEFAULT = 'https://management.azure.com/.default';
