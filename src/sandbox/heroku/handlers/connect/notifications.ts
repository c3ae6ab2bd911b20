import { findConnection, type ConnectNotification } from '../../world/connections.js';
import { ok, route, type ApiRequest } from '../../http/router.js';

/** C12/C13 filters: `after`, `before` (timestamps) and `event_type`, in the query string. */
function selected(req: ApiRequest): ConnectNotification[] {
  const connection = findConnection(req.world, req.param('cid'));
  const after = req.query.get('after');
  const before = req.query.get('before');
  const type = req.query.get('event_type');
  return connection.notifications.filter(
    (n) => !n.acknowledged && (!after || n.created_at > after) && (!before || n.created_at < before) && (!type || n.event_type === type),
  );
}

export const notificationRoutes = [
  route('GET', '/api/v3/connections/:cid/notifications', (req) =>
    ok({ results: selected(req).map(({ acknowledged: _acknowledged, ...shown }) => shown) }),
  ),
  route('POST', '/api/v3/connections/:cid/notifications/acknowledge', (req) => {
    for (const notification of selected(req)) notification.acknowledged = true;
    return { status: 204 };
  }),
];
