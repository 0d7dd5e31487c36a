/**
 * The libpq `ssl_options` step Apollo's postgres and redshift defaults share: the CA PEM is written to a temp file
 * (`sslrootcert`), and sslmode becomes `require` when a CA is given (libpq then verifies the chain), `disable` when
 * ssl_options disables SSL, unless the credentials name an sslmode themselves.
 */
export const LIBPQ_SSL_STEP = {
  type: 'resolve_ssl_options',
  when: 'raw.ssl_options is mapping',
  input: { ssl_options: '{{ raw.ssl_options }}' },
  output: { ssl_options: 'ssl_options', ca_path: 'ssl_ca_path', ssl_mode: 'ssl_mode' },
  field_map: {
    sslrootcert: '{{ derived.ssl_ca_path if derived.ssl_ca_path is defined else raw.sslrootcert | default(none) }}',
    sslmode:
      "{{ raw.ssl_mode | default(raw.sslmode) | default('require' if derived.ssl_ca_path is defined else derived.ssl_mode | default(none)) }}",
  },
} as const;

/** libpq keywords the postgres connector reads, passed through when pre-shaped credentials already carry them. */
/** libpq dials `hostaddr` and names the server by `host`; with `hostaddr` alone, `host` is that address. */
export const LIBPQ_HOST = '{{ raw.host | default(raw.hostaddr) }}';

export const LIBPQ_PASSTHROUGH = {
  hostaddr: '{{ raw.hostaddr | default(none) }}',
  sslmode: '{{ raw.ssl_mode | default(raw.sslmode) | default(none) }}',
  sslrootcert: '{{ raw.sslrootcert | default(none) }}',
  connect_timeout: '{{ raw.connect_timeout | default(none) }}',
  statement_timeout: '{{ raw.statement_timeout | default(none) }}',
  application_name: '{{ raw.application_name | default(none) }}',
} as const;

/** TCP keepalives Apollo's libpq defaults carry (needed behind AWS PrivateLink). */
export const LIBPQ_KEEPALIVES = { keepalives: 1, keepalives_idle: 30, keepalives_interval: 10, keepalives_count: 5 };

export const LIBPQ_TYPES = {
  host: 'str',
  port: 'int',
  dbname: 'str',
  user: 'str',
  password: 'str',
  sslmode: 'str',
  connect_timeout: 'int',
  statement_timeout: 'int',
} as const;
