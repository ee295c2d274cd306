import { describe, it, expect } from '@jest/globals';
import { createCloudClient } from 'jira.js';
describe('probe', () => { it('loads jira.js', () => { expect(typeof createCloudClient).toBe('function'); }); });
