/// The embedded default configuration. Every key the hub reads is here, with its default;
/// a config file overrides any subset, and `SLURMHUB_<PATH>` environment variables override both.
public enum DefaultConfig {
    public static let yaml = """
    hub:
      # Proxy (browsers) listens here.
      public_bind: 0.0.0.0:8000
      # Hub pages and REST API (what single-user servers call back) listen here.
      api_bind: 0.0.0.0:8081
      # Public URL browsers use, e.g. https://jupyter.example.org (empty: unknown).
      public_url: ""
      # Base of JUPYTERHUB_API_URL as seen from the servers (empty: derived from api_bind).
      api_url_for_servers: ""
      # Database, cookie secret and server logs.
      data_dir: /var/lib/slurmhub
      admin_users: []
      # Applied after lower-casing; names become Unix accounts on the cluster.
      username_pattern: ^[a-z_][a-z0-9_-]{0,31}$
      cookie_max_age_days: 14
      allow_named_servers: true
      # 0 = unlimited.
      named_server_limit_per_user: 0
      concurrent_spawn_limit: 100
      # 0 = unlimited.
      active_server_limit: 0
      slow_spawn_timeout: 10
      slow_stop_timeout: 10
      # Largest accepted REST API request body, in bytes.
      max_body_size: 1048576
      # How often proxy activity is folded into users' last_activity, in seconds.
      last_activity_interval: 60
      # Require the read:metrics scope for /hub/metrics.
      authenticate_metrics: true
    auth:
      kind: dev
      dev:
        users: [alice, bob]
        # File holding the shared demo password; empty: generated into data_dir/dev-password.
        password_file: ""
        # The dev login refuses a non-loopback public_bind unless this is true.
        allow_remote: false
    spawner:
      kind: local
      start_timeout: 60
      http_timeout: 30
      poll_interval: 30
      # Extra environment for every server.
      environment: {}
      # Where the user lands after spawn, e.g. /lab (empty: the server's default).
      default_url: ""
      local:
        cmd: [jupyterhub-singleuser]
        args: []
        ip: 127.0.0.1
        port_range: 50000-59999
    # External services such as the idle culler: {name, api_token_file, scopes, admin}.
    services: []
    proxy:
      # configurable-http-proxy compatible route API; empty disables it.
      api_bind: 127.0.0.1:8001
      # Token for the route API; empty: generated into data_dir/proxy-token.
      auth_token_file: ""
    log:
      # trace, debug, info, notice, warning, error, critical
      level: info
    """
}
