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
      # Per-user origins, as JupyterHub's subdomain_host: https://hub.example.org serves alice's servers at
      # https://alice.hub.example.org/user/alice/ (wildcard DNS and certificate; public_url on the same host).
      # Empty: every server shares the hub's origin, so all users must trust each other.
      subdomain_host: ""
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
      # Seconds between checks of the config file, ui.templates_dir, the job template and the login nodes'
      # known_hosts for changes, which are then applied live like a SIGHUP (0 = only on SIGHUP).
      config_watch_interval: 2
      # Connection hygiene on both listeners (proxy and hub API).
      http:
        # Seconds from accepting a connection until its request headers must be complete (slowloris).
        header_timeout: 20
        # Seconds a kept-alive connection may wait for its next request (WebSockets are exempt).
        idle_timeout: 120
        # Connections open at once per listener; lowered at start to what the descriptor limit allows.
        max_connections: 20000
        # Connections open at once from one client address per listener (proxy.trusted_proxies and, on the
        # hub API, loopback are exempt).
        max_connections_per_client: 500
      # HTTPS on public_bind (public_url must then be https://). Reloaded on SIGHUP and when the files change.
      tls:
        # PEM certificate chain, leaf first (certbot's fullchain.pem); empty: plain HTTP.
        cert_file: ""
        # PEM private key, mode 0600 (certbot's privkey.pem).
        key_file: ""
        # host:port answering plain HTTP with a 301 to public_url (e.g. 0.0.0.0:8080 behind a forward of port 80).
        redirect_http_bind: ""
      # HTTPS on api_bind, for compute nodes that call back over an untrusted network (reloaded like tls).
      api_tls:
        cert_file: ""
        key_file: ""
        # PEM bundle verifying cert_file, for the proxy and handed to servers as SSL_CERT_FILE/REQUESTS_CA_BUNDLE
        # (same path on the compute nodes; include the system roots). Empty: the system's roots.
        ca_file: ""
    auth:
      kind: dev
      dev:
        users: [alice, bob]
        # File holding the shared demo password; empty: generated into data_dir/dev-password.
        password_file: ""
        # The dev login refuses a non-loopback public_bind unless this is true.
        allow_remote: false
      # kind oauth: log in through an OAuth 2 or OpenID Connect provider (Keycloak, the VSC account page, ...).
      oauth:
        # Button text on the login page: "Sign in with <login_service>".
        login_service: OAuth
        client_id: ""
        # File holding the client secret (first line).
        client_secret_file: ""
        # client_secret_basic (HTTP Basic) or client_secret_post (form fields) at the token endpoint.
        token_endpoint_auth: client_secret_basic
        # OpenID Connect issuer URL: endpoints from its discovery document, the ID token verified against
        # its JWKS. Empty: plain OAuth 2 with the three URLs below (which override discovery when both are set).
        issuer: ""
        authorize_url: ""
        token_url: ""
        # Returns the user's claims as JSON (OIDC userinfo, or e.g. the VSC account page's current user).
        userdata_url: ""
        scope: [openid, profile, email]
        # Claim holding the user name, lower-cased and checked against hub.username_pattern
        # (empty: preferred_username with an issuer, id without).
        username_claim: ""
        # Claim holding the user's groups (a list or one string); dots descend into objects (realm_access.roles).
        groups_claim: groups
        # Let in every user the provider authenticates (otherwise only the users and groups below).
        allow_all: false
        allowed_users: []
        allowed_groups: []
        # These users, and members of these groups, are admins (with admin_groups set, others are not).
        admin_users: []
        admin_groups: []
        # Where the provider sends the browser back (empty: hub.public_url + /hub/oauth_callback).
        callback_url: ""
        # /hub/login goes straight to the provider instead of showing the sign-in button.
        auto_login: false
        # Refresh the stored upstream access token with its refresh token when it has expired.
        refresh_auth_state: false
        # PEM file of extra CA certificates trusted for the provider (empty: the system's).
        tls_ca_file: ""
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
      # Each server is a Slurm job submitted as the user (sudo -u <user> sbatch) on a login node over SSH.
      slurm:
        # host or host:port, tried in order; the next one is used while one is down.
        login_nodes: []
        # The hub's account on the login nodes; it runs every user command through `sudo`.
        ssh_user: slurmhub
        # Private key (ed25519, ECDSA or RSA, no passphrase); <key>-cert.pub is used if present.
        ssh_key_file: /etc/slurmhub/ssh/id_ed25519
        # Pins every login node's host key; unknown or changed keys are refused, nothing is ever added.
        known_hosts_file: /etc/slurmhub/ssh/known_hosts
        connect_timeout: 10
        keepalive_interval: 30
        # Longest time one command on a login node may take, in seconds.
        command_timeout: 60
        # Runs a command as the user; the user name is appended.
        sudo: [/usr/bin/sudo, -n, -u]
        # Group of the users the hub may run commands as (the generated sudoers' Runas list; root never).
        sudo_runas_group: jupyterhub-users
        sbatch: /usr/bin/sbatch
        scancel: /usr/bin/scancel
        squeue: /usr/bin/squeue
        sinfo: /usr/bin/sinfo
        # Reads the tail of a failed job's output (as the user).
        tail: /usr/bin/tail
        # Writes the token file when token_delivery is file (as the user).
        install: /usr/bin/install
        # Fills the token file from the hub's SSH channel (as the user).
        dd: /usr/bin/dd
        # Sent as SLURM_CONF with every command (empty: the login node's default).
        slurm_conf: ""
        # Passed as --clusters to sbatch, squeue and scancel (empty: the default cluster).
        cluster: ""
        # Job name of every server job; jobs with this name and a slurmhub tag unknown to the database are cancelled.
        job_name: slurmhub
        # The user's home directory on the cluster ({username} is replaced).
        home: /home/{username}
        # The job's output file ({home}, {username}; Slurm's %j); its tail is shown when a job fails.
        output: "{home}/.slurmhub-%j.log"
        # Variables allowed into jobs besides JupyterHub's own; everything else is never sent.
        environment_allow: []
        # environment: the API token travels in the job environment; file: as a 0600 file read by the job.
        token_delivery: environment
        # Where token files go ({home}, {username}).
        token_dir: "{home}/.slurmhub/tokens"
        # A Mustache job template replacing the shipped one (empty: shipped).
        job_template_file: ""
        cmd: [jupyterhub-singleuser]
        args: []
        # The job picks a free port in this range on its node and reports it to the hub.
        port_range: 50000-59999
        # How often a starting job is checked, in seconds.
        startup_poll_interval: 1
        # How long an sinfo answer (spawn form availability, pending messages) is reused, in seconds.
        sinfo_cache_seconds: 30
        # Whether users may pass reservation, account and qos.
        allow_accounting_options: true
        # {name, description, simple, max_runtime, max_cpus, max_memory, max_gpus, gres}
        partitions: []
        # {id, description, modules, path}
        environments: []
    # External services such as the idle culler: {name, api_token_file, scopes, admin}.
    services: []
    proxy:
      # configurable-http-proxy compatible route API; empty disables it.
      api_bind: 127.0.0.1:8001
      # Token for the route API; empty: generated into data_dir/proxy-token.
      auth_token_file: ""
      # Addresses or CIDR networks (e.g. [10.0.0.5/32]) of a TLS terminator or load balancer in front of the proxy:
      # only their X-Forwarded-For/Proto/Host/Port headers are passed on; every other client's are replaced.
      trusted_proxies: []
    log:
      # trace, debug, info, notice, warning, error, critical
      level: info
      # auto: <N> priority prefixes when stderr is the journal (JOURNAL_STREAM), plain otherwise; plain; journal.
      format: auto
    ui:
      # Shown in every page's header and title.
      site_name: slurmhub
      # Logo in the header: an http(s) URL, a path on this hub, or a data:image/ URI (empty: none).
      logo_url: ""
      # "Documentation" link in the header (empty: none).
      docs_url: ""
      # Directory whose *.mustache files replace the shipped templates of the same name (empty: shipped only).
      templates_dir: ""
    """
}
