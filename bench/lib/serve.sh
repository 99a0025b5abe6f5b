# Shared by the benchmarks that drive a running `bastion serve --demo` over HTTP (capacity, soak).
# shellcheck shell=bash

# wait_http URL — until URL answers (60 s at most).
wait_http() {
    for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done
    echo "no answer from $1" >&2
    exit 1
}

# demo_session BASE USER — the session cookie (bastion_session=…) of a demo account.
demo_session() {
    curl -fs -c - -H 'Content-Type: application/json' \
        -d "{\"username\":\"$2\",\"password\":\"$BASTION_DEMO_PASSWORD\"}" "$1/api/login" |
        awk '$6=="bastion_session"{print "bastion_session="$7}'
}

# first_checkpoint BASE COOKIE — the id of the first checkpoint the account sees.
first_checkpoint() {
    curl -fs -b "$2" "$1/api/checkpoints" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'
}

# first_article BASE — the id of the newest article on the public news site.
first_article() { curl -fs "$1/news" | grep -o 'href="/news/[0-9]*"' | head -1 | grep -o '[0-9]*'; }
