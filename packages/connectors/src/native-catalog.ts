import type { ConnectorCatalog } from '@artemis/core';

/**
 * The connection types this agent serves natively, each loaded with `await import()` on first use so a health
 * check never pays for a driver (SPEC §5, §11).
 */
export const nativeConnectors: ConnectorCatalog = {
  athena: () => import('./aws/athena'),
  bigquery: () => import('./bigquery/bigquery-connector'),
  databricks: () => import('./databricks/databricks-connector'),
  'databricks-rest': () => import('./databricks/databricks-rest-connector'),
  glue: () => import('./aws/glue'),
  http: () => import('./http/http-connector'),
  mysql: () => import('./mysql/mysql-connector'),
  postgres: () => import('./postgres/postgres-connector'),
  presto: () => import('./presto/presto-connector'),
  redshift: () => import('./redshift/redshift-connector'),
  s3: () => import('./aws/s3'),
  snowflake: () => import('./snowflake/snowflake-connector'),
  'starburst-enterprise': () => import('./trino/starburst-enterprise-connector'),
  'starburst-galaxy': () => import('./trino/starburst-galaxy-connector'),
};
