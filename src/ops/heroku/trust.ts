import { z } from 'zod';
import { createFeedGet, type FeedClientOptions } from './status-feed.js';

/**
 * The Salesforce Trust Status API as `heroku status` uses it (docs/reference/heroku-status-feeds.md, "Salesforce Trust Status API"): the primary
 * channel for Heroku maintenance, and the only one with structured window times.
 */

const timestamp = z.iso.datetime({ offset: true });

const trustMaintenanceSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  externalId: z.string().nullish(),
  message: z
    .object({ maintenanceType: z.string().nullish(), eventStatus: z.string().nullish(), availability: z.string().nullish() })
    .nullish(),
  plannedStartTime: timestamp,
  plannedEndTime: timestamp,
  additionalInformation: z.string().nullish(),
  instanceKeys: z.array(z.string()).default([]),
  serviceKeys: z.array(z.string()).default([]),
  MaintenanceEvents: z
    .array(z.object({ id: z.number().int().optional(), type: z.string(), message: z.string().nullish(), createdAt: timestamp }))
    .default([]),
  createdAt: timestamp,
});

export type TrustMaintenance = z.infer<typeof trustMaintenanceSchema>;

export interface TrustClient {
  /** `GET /maintenances?product=Heroku`: maintenances from `startTime` on. */
  maintenances(options: { startTime: Date; limit?: number }): Promise<TrustMaintenance[]>;
}

export const SALESFORCE_TRUST_FEED = 'Salesforce Trust';

/** Client for the Trust Status API; `baseUrl` includes the version, e.g. https://api.status.salesforce.com/v1. */
export function createTrustClient(options: FeedClientOptions): TrustClient {
  const get = createFeedGet(SALESFORCE_TRUST_FEED, options);
  return {
    maintenances: ({ startTime, limit = 50 }) => {
      const query = new URLSearchParams({
        startTime: startTime.toISOString(),
        limit: String(limit),
        offset: '0',
        product: 'Heroku',
        locale: 'en',
      });
      return get(`/maintenances?${query}`, z.array(trustMaintenanceSchema));
    },
  };
}

/** The page a person opens for a Trust maintenance (inferred from the incidents' `/incidents/{id}`). */
export function trustMaintenanceUrl(id: number): string {
  return `https://status.salesforce.com/maintenances/${id}`;
}
