import { findConnection, type Connection } from '../../world/connections.js';
import { findMapping, mappingCounts, type Mapping } from '../../world/mappings.js';
import { connect } from '../../world/timings.js';
import type { World } from '../../world/world.js';
import { ok, route } from '../../http/router.js';

interface Check {
  display_name: string;
  doc_url: string;
  message: string;
  rule_id: string;
  status: 'PASSED' | 'FAILED' | 'WARNING' | 'SKIPPED';
}

const DOCS = 'https://devcenter.heroku.com/articles/heroku-connect-diagnose';

function check(rule_id: string, passed: boolean, message: string, failedAs: Check['status'] = 'FAILED'): Check {
  return { display_name: rule_id.toLowerCase().replace(/_/g, ' '), doc_url: DOCS, message, rule_id, status: passed ? 'PASSED' : failedAs };
}

function bucket(checks: Check[]) {
  const of = (status: Check['status']) => checks.filter((c) => c.status === status);
  return { errors: of('FAILED'), warnings: of('WARNING'), passes: of('PASSED'), skips: of('SKIPPED') };
}

function mappingChecks(world: World, connection: Connection, mapping: Mapping): Check[] {
  const counts = mappingCounts(world, connection, mapping);
  return [
    check('MAPPING_SHOULD_BE_SYNCED', mapping.state === 'DATA_SYNCED', `${mapping.objectName} is ${mapping.state}`, 'WARNING'),
    check('MAPPING_SHOULD_NOT_HAVE_ERRORS', counts.errors === 0, `${counts.errors} write errors`),
  ];
}

/** connect:diagnose: rules about the connection and each mapping (C10 result, M4). */
function diagnose(world: World, connection: Connection) {
  return {
    ...bucket([
      check('MUST_USE_RECENT_API_VERSION', Number(connection.apiVersion) >= 58, `API version ${connection.apiVersion}`),
      check('SHOULD_HAVE_LOG_DRAIN', connection.logplexLogEnabled, 'Logs are sent to Logplex', 'WARNING'),
    ]),
    mappings: Object.fromEntries(connection.mappings.map((m) => [m.objectName, bucket(mappingChecks(world, connection, m))])),
  };
}

export const diagnoseRoutes = [
  /** C10: the result is ready a few seconds later; until then its URL answers 202. */
  route('POST', '/api/v3/connections/:cid/validations', (req) => {
    const connection = findConnection(req.world, req.param('cid'));
    connection.validations.push(req.world.clock.now());
    return ok({ result_url: `${req.baseUrl}/api/v3/connections/${connection.id}/validations/${connection.validations.length}` }, 202);
  }),
  route('GET', '/api/v3/connections/:cid/validations/:n', (req) => {
    const connection = findConnection(req.world, req.param('cid'));
    const requested = connection.validations[Number(req.param('n')) - 1];
    if (requested === undefined) return ok({ message: 'Validation not found.' }, 404);
    if (req.world.clock.now() < requested + connect.validation) return ok({}, 202);
    return ok(diagnose(req.world, connection));
  }),
  route('GET', '/api/v3/mappings/:mid/validations', (req) => {
    const { connection, mapping } = findMapping(req.world, req.param('mid'));
    return ok(bucket(mappingChecks(req.world, connection, mapping)));
  }),
];
