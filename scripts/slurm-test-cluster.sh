#!/usr/bin/env bash
# A single-machine Slurm test cluster with a loopback "login node" for the Slurm spawner.
#
#   scripts/slurm-test-cluster.sh [up]   install what is missing, start munge, slurmctld, slurmd and a
#                                        second sshd on 127.0.0.1:$SLURMHUB_TEST_SSH_PORT, verify end to end
#   scripts/slurm-test-cluster.sh down   stop the test sshd, cancel all jobs, stop slurmd, slurmctld, munged
#                                        (packages, users, keys and config files stay)
#
# Run as root on Debian 12 (no systemd needed). Idempotent: `up` may be run again at any time.
#
# What `up` creates (SLURMHUB_TEST_HOME defaults to /var/lib/slurmhub-test, the port to 2222):
#   users alice, bob (group hpcusers) and the operator slurmhub (no password, key login only)
#   $SLURMHUB_TEST_HOME/ssh/id_ed25519{,.pub}   the operator's key pair (the hub's SSH identity)
#   $SLURMHUB_TEST_HOME/known_hosts             the login node's pinned host key
#   $SLURMHUB_TEST_HOME/sshd/                   sshd_config, host key, pid file, log, slurmhub.conf fragment
#   $SLURMHUB_TEST_HOME/sudoers                 optional input: installed as /etc/sudoers.d/slurmhub if present
#   /etc/slurm/slurm.conf                       cluster "slurmhubtest", partitions debug (default) and long
set -euo pipefail

TEST_HOME=${SLURMHUB_TEST_HOME:-/var/lib/slurmhub-test}
SSH_PORT=${SLURMHUB_TEST_SSH_PORT:-2222}
OPERATOR=slurmhub
USERS_GROUP=hpcusers
TEST_USERS=(alice bob)
HOST=$(hostname -s)

SSHD_DIR=$TEST_HOME/sshd
SSHD_CONFIG=$SSHD_DIR/sshd_config
SSHD_FRAGMENT=$SSHD_DIR/slurmhub.conf
SSHD_PIDFILE=$SSHD_DIR/sshd.pid
SSHD_LOG=$SSHD_DIR/sshd.log
HOST_KEY=$SSHD_DIR/ssh_host_ed25519_key
CLIENT_KEY=$TEST_HOME/ssh/id_ed25519
KNOWN_HOSTS=$TEST_HOME/known_hosts
SUDOERS_INPUT=$TEST_HOME/sudoers
SUDOERS_TARGET=/etc/sudoers.d/slurmhub

SLURM_CONF=/etc/slurm/slurm.conf
SLURMCTLD_PIDFILE=/run/slurmctld.pid
SLURMD_PIDFILE=/run/slurmd.pid
MUNGED_PIDFILE=/run/munge/munged.pid

# The JupyterHub variables the hub sends over SSH (hpc-seeds §1.6 "JH15" plus the newer JupyterHub names).
# The sshd AcceptEnv list and the sudoers env_keep list are both exactly this set.
JUPYTERHUB_VARS=(
    JUPYTERHUB_API_TOKEN JPY_API_TOKEN JUPYTERHUB_CLIENT_ID JUPYTERHUB_HOST JUPYTERHUB_API_URL
    JUPYTERHUB_OAUTH_CALLBACK_URL JUPYTERHUB_OAUTH_SCOPES JUPYTERHUB_USER JUPYTERHUB_SERVER_NAME
    JUPYTERHUB_ACTIVITY_URL JUPYTERHUB_BASE_URL JUPYTERHUB_SERVICE_PREFIX JUPYTERHUB_SERVICE_URL
    JUPYTERHUB_ROOT_DIR JUPYTERHUB_DEFAULT_URL
    JUPYTERHUB_OAUTH_ACCESS_SCOPES JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES JUPYTERHUB_PUBLIC_URL
    JUPYTERHUB_PUBLIC_HUB_URL JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED JUPYTERHUB_COOKIE_OPTIONS
)

log() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# pid_alive PIDFILE NAME: the pid file names a live process whose command is NAME.
pid_alive() {
    local pid
    [[ -s $1 ]] || return 1
    pid=$(tr -dc '0-9' <"$1")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$2" ]]
}

# stop_pidfile PIDFILE NAME: SIGTERM the process named in PIDFILE and wait up to 10 s.
stop_pidfile() {
    local pid i
    if ! pid_alive "$1" "$2"; then
        log "$2 not running"
        return 0
    fi
    pid=$(tr -dc '0-9' <"$1")
    log "stopping $2 (pid $pid)"
    kill -TERM "$pid"
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
        sleep 0.1
    done
    die "$2 (pid $pid) did not stop within 10 s"
}

# install_if_changed SRC DEST MODE OWNER: replace DEST by SRC only when the content differs; returns 0 if changed.
install_if_changed() {
    if [[ -f $2 ]] && cmp -s "$1" "$2"; then
        chmod "$3" "$2"; chown "$4" "$2"; rm -f "$1"
        return 1
    fi
    install -m "$3" -o "${4%%:*}" -g "${4##*:}" "$1" "$2"
    rm -f "$1"
    return 0
}

# ---------------------------------------------------------------------------------------------------------
# up
# ---------------------------------------------------------------------------------------------------------

install_packages() {
    local pkg missing=()
    for pkg in slurm-wlm munge openssh-server sudo; do
        dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        log "apt-get install ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        log "packages present: slurm-wlm munge openssh-server sudo"
    fi
    id slurm >/dev/null 2>&1 || die "user slurm missing after installing slurm-wlm"
    id munge >/dev/null 2>&1 || die "user munge missing after installing munge"
}

setup_munge() {
    install -d -o munge -g munge -m 0700 /etc/munge /var/log/munge /var/lib/munge
    install -d -o munge -g munge -m 0755 /run/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        log "creating /etc/munge/munge.key"
        (umask 077; head -c 1024 /dev/urandom >/etc/munge/munge.key)
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
    if pid_alive "$MUNGED_PIDFILE" munged; then
        log "munged running"
    else
        log "starting munged"
        rm -f "$MUNGED_PIDFILE" /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
        sudo -u munge /usr/sbin/munged
    fi
    local i
    for ((i = 0; i < 50; i++)); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.1
    done
    munge -n | unmunge | grep -q 'STATUS: *Success' || {
        tail -n 20 /var/log/munge/munged.log >&2 || true
        die "munge -n | unmunge does not report Success"
    }
    log "munge ok"
}

write_slurm_conf() {
    local mem_kb mem_mb tmp
    mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
    mem_mb=$((mem_kb * 8 / 10 / 1024))
    install -d -m 0755 /etc/slurm
    install -d -o slurm -g slurm -m 0755 /var/spool/slurmctld /var/log/slurm
    install -d -o root -g root -m 0755 /var/spool/slurmd
    tmp=$(mktemp)
    cat >"$tmp" <<EOF
# Written by scripts/slurm-test-cluster.sh (slurmhub test cluster, one node). Do not edit by hand.
ClusterName=slurmhubtest
SlurmctldHost=$HOST
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
SlurmUser=slurm
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldPidFile=$SLURMCTLD_PIDFILE
SlurmdPidFile=$SLURMD_PIDFILE
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
MinJobAge=300
NodeName=$HOST CPUs=$(nproc) RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=12:00:00 State=UP
PartitionName=long Nodes=$HOST Default=NO MaxTime=2-00:00:00 State=UP
EOF
    if install_if_changed "$tmp" "$SLURM_CONF" 0644 root:root; then
        log "wrote $SLURM_CONF (CPUs=$(nproc) RealMemory=${mem_mb}MB)"
        SLURM_CONF_CHANGED=1
    else
        log "$SLURM_CONF unchanged"
        SLURM_CONF_CHANGED=0
    fi
}

slurm_diagnostics() {
    {
        echo "--- sinfo"; sinfo -N -l 2>&1 || true
        echo "--- scontrol show node"; scontrol show node "$HOST" 2>&1 || true
        echo "--- tail /var/log/slurm/slurmctld.log"; tail -n 30 /var/log/slurm/slurmctld.log 2>&1 || true
        echo "--- tail /var/log/slurm/slurmd.log"; tail -n 30 /var/log/slurm/slurmd.log 2>&1 || true
    } >&2
}

start_slurm() {
    if pid_alive "$SLURMCTLD_PIDFILE" slurmctld; then
        log "slurmctld running"
        if ((SLURM_CONF_CHANGED)); then
            log "slurm.conf changed: scontrol reconfigure"
            scontrol reconfigure
        fi
    else
        log "starting slurmctld"
        /usr/sbin/slurmctld
    fi
    if pid_alive "$SLURMD_PIDFILE" slurmd; then
        log "slurmd running"
    else
        log "starting slurmd"
        /usr/sbin/slurmd
    fi
    local i states
    for ((i = 0; i < 60; i++)); do
        states=$(sinfo -h -o %T 2>/dev/null | sort -u || true)
        if [[ $states == idle || $states == mixed || $states == allocated ]]; then
            log "slurm up: sinfo says $states"
            return 0
        fi
        sleep 0.5
    done
    slurm_diagnostics
    die "node not idle after 30 s (sinfo -h -o %T: ${states:-nothing})"
}

setup_users() {
    getent group "$USERS_GROUP" >/dev/null || groupadd "$USERS_GROUP"
    local u
    for u in "${TEST_USERS[@]}"; do
        if id "$u" >/dev/null 2>&1; then
            id -nG "$u" | tr ' ' '\n' | grep -qx "$USERS_GROUP" || usermod -aG "$USERS_GROUP" "$u"
        else
            log "creating user $u (group $USERS_GROUP)"
            useradd -m -s /bin/bash -G "$USERS_GROUP" "$u"
        fi
    done
    if ! id "$OPERATOR" >/dev/null 2>&1; then
        log "creating operator account $OPERATOR"
        useradd -m -s /bin/bash "$OPERATOR"
    fi
    # No password, yet not "locked" ("!"): sshd without PAM refuses even key logins to locked accounts.
    [[ $(getent shadow "$OPERATOR" | cut -d: -f2) == '*' ]] || usermod -p '*' "$OPERATOR"
}

setup_operator_key() {
    local owner=root
    if [[ -n ${SUDO_USER:-} ]] && id "$SUDO_USER" >/dev/null 2>&1; then owner=$SUDO_USER; fi
    install -d -m 0755 "$TEST_HOME"
    install -d -m 0700 -o "$owner" "$TEST_HOME/ssh"
    if [[ ! -s $CLIENT_KEY ]]; then
        log "generating operator key $CLIENT_KEY"
        rm -f "$CLIENT_KEY" "$CLIENT_KEY.pub"
        ssh-keygen -q -t ed25519 -N '' -C "$OPERATOR@slurmhub-test" -f "$CLIENT_KEY"
    fi
    chown "$owner" "$CLIENT_KEY" "$CLIENT_KEY.pub"
    chmod 0600 "$CLIENT_KEY"
    chmod 0644 "$CLIENT_KEY.pub"

    local home
    home=$(getent passwd "$OPERATOR" | cut -d: -f6)
    install -d -m 0700 -o "$OPERATOR" -g "$OPERATOR" "$home/.ssh"
    touch "$home/.ssh/authorized_keys"
    if ! grep -qxF "$(cat "$CLIENT_KEY.pub")" "$home/.ssh/authorized_keys"; then
        cat "$CLIENT_KEY.pub" >>"$home/.ssh/authorized_keys"
        log "installed public key in $home/.ssh/authorized_keys"
    fi
    chown "$OPERATOR:$OPERATOR" "$home/.ssh/authorized_keys"
    chmod 0600 "$home/.ssh/authorized_keys"
}

setup_sshd() {
    install -d -m 0755 /run/sshd
    install -d -m 0700 "$SSHD_DIR"
    if [[ ! -s $HOST_KEY ]]; then
        log "generating login-node host key $HOST_KEY"
        rm -f "$HOST_KEY" "$HOST_KEY.pub"
        ssh-keygen -q -t ed25519 -N '' -C "slurmhub-test-login-node" -f "$HOST_KEY"
    fi
    chmod 0600 "$HOST_KEY"

    if [[ ! -e $SSHD_FRAGMENT ]]; then
        log "installing default sshd fragment $SSHD_FRAGMENT"
        cat >"$SSHD_FRAGMENT" <<EOF
# Default written by scripts/slurm-test-cluster.sh because this file did not exist.
# \`slurmhub generate slurm-host\` (to come) will produce this fragment; the script never overwrites it.
Match User $OPERATOR
    AcceptEnv ${JUPYTERHUB_VARS[*]}
EOF
        chmod 0644 "$SSHD_FRAGMENT"
    fi

    local tmp
    tmp=$(mktemp)
    cat >"$tmp" <<EOF
# Test login node for slurmhub, written by scripts/slurm-test-cluster.sh. Not the system sshd.
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $HOST_KEY
PidFile $SSHD_PIDFILE
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
PermitEmptyPasswords no
StrictModes yes
UsePAM no
X11Forwarding no
AllowAgentForwarding no
AllowTcpForwarding no
PermitTunnel no
PrintMotd no
LogLevel INFO
# Nothing is accepted globally; the fragment below grants AcceptEnv to the operator only.
# It must stay last: everything after a Match line belongs to that Match block.
Include $SSHD_FRAGMENT
EOF
    install_if_changed "$tmp" "$SSHD_CONFIG" 0600 root:root || true
    /usr/sbin/sshd -t -f "$SSHD_CONFIG" || die "sshd -t -f $SSHD_CONFIG failed"

    if pid_alive "$SSHD_PIDFILE" sshd; then
        # Reload so a new fragment or config takes effect (sshd re-executes itself on SIGHUP).
        log "test sshd running: reloading (SIGHUP)"
        kill -HUP "$(tr -dc '0-9' <"$SSHD_PIDFILE")"
        sleep 0.5
    else
        log "starting test sshd on 127.0.0.1:$SSH_PORT"
        /usr/sbin/sshd -f "$SSHD_CONFIG" -E "$SSHD_LOG"
    fi
    local i
    for ((i = 0; i < 50; i++)); do
        pid_alive "$SSHD_PIDFILE" sshd && break
        sleep 0.1
    done
    pid_alive "$SSHD_PIDFILE" sshd || { tail -n 20 "$SSHD_LOG" >&2 || true; die "test sshd did not start"; }

    local hostpart=127.0.0.1
    [[ $SSH_PORT == 22 ]] || hostpart="[127.0.0.1]:$SSH_PORT"
    printf '%s %s\n' "$hostpart" "$(cut -d' ' -f1-2 "$HOST_KEY.pub")" >"$KNOWN_HOSTS.tmp"
    chmod 0644 "$KNOWN_HOSTS.tmp"
    mv -f "$KNOWN_HOSTS.tmp" "$KNOWN_HOSTS"
}

setup_sudoers() {
    local tmp
    tmp=$(mktemp)
    if [[ -f $SUDOERS_INPUT ]]; then
        log "sudoers from $SUDOERS_INPUT"
        cat "$SUDOERS_INPUT" >"$tmp"
    else
        cat >"$tmp" <<EOF
# Default written by scripts/slurm-test-cluster.sh (no $SUDOERS_INPUT).
# \`slurmhub generate slurm-host\` (to come) will produce this fragment.
Cmnd_Alias SLURMHUB_CMDS = /usr/bin/sbatch, /usr/bin/scancel, /usr/bin/squeue, /usr/bin/sinfo
Defaults:$OPERATOR env_reset
Defaults:$OPERATOR env_keep += "${JUPYTERHUB_VARS[*]}"
Defaults:$OPERATOR !requiretty
# Commands run in the target user's home, not in the operator's (sbatch writes its output there).
Defaults:$OPERATOR runcwd=~
$OPERATOR ALL=(%$USERS_GROUP) NOPASSWD: SLURMHUB_CMDS
EOF
    fi
    visudo -c -q -f "$tmp" || { rm -f "$tmp"; die "visudo -c rejects the sudoers fragment"; }
    if install_if_changed "$tmp" "$SUDOERS_TARGET" 0440 root:root; then
        log "installed $SUDOERS_TARGET"
    fi
    visudo -c -q || die "visudo -c rejects the installed sudoers"
}

# op_ssh [ssh options...] -- COMMAND: run COMMAND on the login node as the operator.
op_ssh() {
    local opts=()
    while [[ $1 != -- ]]; do opts+=("$1"); shift; done
    shift
    ssh -F /dev/null -i "$CLIENT_KEY" -o IdentitiesOnly=yes -o BatchMode=yes \
        -o UserKnownHostsFile="$KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
        -o ConnectTimeout=10 -p "$SSH_PORT" "${opts[@]}" "$OPERATOR@127.0.0.1" "$@"
}

# wait_job_output USER JOBID: print the job's output once it has completed (30 s at most).
wait_job_output() {
    local home out i state
    home=$(getent passwd "$1" | cut -d: -f6)
    out=$home/slurm-$2.out
    for ((i = 0; i < 60; i++)); do
        state=$(scontrol show job "$2" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
        if [[ $state == COMPLETED && -s $out ]]; then
            cat "$out"
            return 0
        fi
        case $state in FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY)
            echo "job $2 ended $state" >&2; scontrol show job "$2" >&2; return 1 ;;
        esac
        sleep 0.5
    done
    echo "job $2 not completed with output in $out after 30 s (state ${state:-unknown})" >&2
    scontrol show job "$2" >&2 || true
    slurm_diagnostics
    return 1
}

verify() {
    log "verifying: ssh -> sudo -u alice sbatch -> job"
    local jobid output
    jobid=$(op_ssh -- 'sudo -n -u alice /usr/bin/sbatch --parsable --wrap "id -un"') ||
        { tail -n 20 "$SSHD_LOG" >&2 || true; die "submission over ssh failed"; }
    jobid=${jobid%%;*}
    [[ $jobid =~ ^[0-9]+$ ]] || die "sbatch did not return a job id: '$jobid'"
    output=$(wait_job_output alice "$jobid") || die "job $jobid did not complete"
    [[ $output == alice ]] || die "job $jobid output is '$output', expected 'alice'"
    log "job $jobid ran as alice (~alice/slurm-$jobid.out says '$output')"

    log "verifying: SendEnv/AcceptEnv allow-list"
    output=$(JUPYTERHUB_USER=alice-env-check FOO_NOT_ALLOWED=leak \
        op_ssh -o SendEnv=JUPYTERHUB_USER -o SendEnv=FOO_NOT_ALLOWED -- \
        'printf "JUPYTERHUB_USER=%s FOO_NOT_ALLOWED=%s\n" "$(printenv JUPYTERHUB_USER || echo -)" "$(printenv FOO_NOT_ALLOWED || echo -)"')
    [[ $output == "JUPYTERHUB_USER=alice-env-check FOO_NOT_ALLOWED=-" ]] ||
        die "environment check failed: $output"
    log "JUPYTERHUB_USER arrives, FOO_NOT_ALLOWED does not"

    log "verifying: an allow-listed variable survives sudo env_keep and sbatch into the job"
    jobid=$(JUPYTERHUB_USER=alice-env-check op_ssh -o SendEnv=JUPYTERHUB_USER -- \
        'sudo -n -u alice /usr/bin/sbatch --parsable --wrap "printenv JUPYTERHUB_USER"')
    jobid=${jobid%%;*}
    [[ $jobid =~ ^[0-9]+$ ]] || die "sbatch did not return a job id: '$jobid'"
    output=$(wait_job_output alice "$jobid") || die "job $jobid did not complete"
    [[ $output == alice-env-check ]] || die "job $jobid saw JUPYTERHUB_USER='$output'"
    log "job $jobid saw JUPYTERHUB_USER=$output"

    log "verifying: sudo refuses commands outside the alias and users outside $USERS_GROUP"
    if op_ssh -- 'sudo -n -u alice /bin/true' 2>/dev/null; then die "sudo allowed /bin/true"; fi
    if op_ssh -- 'sudo -n -u root /usr/bin/sinfo' >/dev/null 2>&1; then die "sudo allowed running as root"; fi
    log "sudo restrictions hold"
}

summary() {
    cat <<EOF

slurmhub test cluster is up.
  Slurm        cluster slurmhubtest, controller and node $HOST ($(nproc) CPUs), partitions: $(sinfo -h -o '%P' | tr '\n' ' ')
               config $SLURM_CONF, logs /var/log/slurm/, munge key /etc/munge/munge.key
  Login node   sshd on 127.0.0.1:$SSH_PORT (pid $(tr -dc '0-9' <"$SSHD_PIDFILE")), config $SSHD_CONFIG, log $SSHD_LOG
               fragment $SSHD_FRAGMENT (Match User $OPERATOR, AcceptEnv of ${#JUPYTERHUB_VARS[@]} names)
  Pinned key   $KNOWN_HOSTS
  Operator     $OPERATOR, key $CLIENT_KEY, sudoers $SUDOERS_TARGET
  Users        ${TEST_USERS[*]} (group $USERS_GROUP)
  Try          ssh -i $CLIENT_KEY -o UserKnownHostsFile=$KNOWN_HOSTS -o StrictHostKeyChecking=yes -p $SSH_PORT \\
                   $OPERATOR@127.0.0.1 'sudo -n -u alice /usr/bin/sbatch --parsable --wrap "id -un"'
  Stop         $0 down
EOF
}

cmd_up() {
    install_packages
    setup_munge
    write_slurm_conf
    start_slurm
    setup_users
    setup_operator_key
    setup_sshd
    setup_sudoers
    verify
    summary
}

cmd_down() {
    if [[ -x /usr/sbin/sshd ]]; then stop_pidfile "$SSHD_PIDFILE" sshd; fi
    if pid_alive "$SLURMCTLD_PIDFILE" slurmctld; then
        log "cancelling all jobs"
        squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null || true
        local i
        for ((i = 0; i < 20; i++)); do
            [[ -z $(squeue -h -t RUNNING,COMPLETING -o %i 2>/dev/null) ]] && break
            sleep 0.5
        done
    fi
    stop_pidfile "$SLURMD_PIDFILE" slurmd
    stop_pidfile "$SLURMCTLD_PIDFILE" slurmctld
    stop_pidfile "$MUNGED_PIDFILE" munged
    log "down (packages, users, keys and configuration kept)"
}

[[ $(id -u) == 0 ]] || die "run as root"
case ${1:-up} in
    up) cmd_up ;;
    down) cmd_down ;;
    *) echo "usage: $0 [up|down]" >&2; exit 2 ;;
esac
