# Shared by .ci/run and .ci/modes: how to build test binaries and run them
# in the three modes (root, an ordinary user, inside `unshare -r`).
# shellcheck shell=bash

: "${NONROOT_CI_USER:=nrtest}"
: "${NONROOT_CI_WORK:=/tmp/nonroot-ci}"

# Features each mode is known to have on the CI machine. A test that skips
# for want of a listed feature fails instead (internal/testenv.Require).
# Tools every mode has once .ci/run has installed them.
tools_all="capsh,getpcaps,getcap,pscap,setpriv,pgrep,prlimit,unshare,getsubids,python3,getfacl,libcap.so.2"
# Features every mode has: user namespaces, the CI user, the real
# pam_limits, setpriv's reduced capability sets.
common="userns,userns-elf-stage,idmapped-mount,nrtest,pam,reduced-sets,$tools_all"
REQUIRE_ROOT="${REQUIRE_ROOT-$common,idmapped-mount-disk,chown-any,acl-any-id,tmpfs-xattrs,userns-many-uids,multimap,setid,subuid-user,mountns,setfcap,initial-userns}"
REQUIRE_USER="${REQUIRE_USER-$common,acl-any-id,tmpfs-xattrs,userns-many-uids,userns-newuidmap-path,newuidmap,unshare-map-users,initial-userns}"
REQUIRE_ROOT_NS="${REQUIRE_ROOT_NS-$common,mountns,setfcap}"
REQUIRE_USER_NS="${REQUIRE_USER_NS-$common,mountns,setfcap}"

ci_uid() { id -u "$NONROOT_CI_USER"; }
ci_gid() { id -g "$NONROOT_CI_USER"; }

# as_user CMD...: run CMD as the ordinary CI user, with its own groups.
as_user() {
	setpriv --reuid="$(ci_uid)" --regid="$(ci_gid)" --init-groups \
		env HOME=/tmp USER="$NONROOT_CI_USER" LOGNAME="$NONROOT_CI_USER" "$@"
}

# test_pkgs: import paths of the packages of the root module that have tests.
test_pkgs() {
	go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./... | sed '/^$/d'
}

# build_tests DIR: build every package's test binary and every example
# into DIR, world-readable, and copy the source tree beside them so that
# an ordinary user can run the binaries from their package directories.
build_tests() {
	local dir=$1 mod pkg rel
	rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/examples"
	mod=$(go list -m)
	for pkg in $(test_pkgs); do
		rel=${pkg#"$mod"}; rel=${rel#/}; [ -n "$rel" ] || rel=.
		go test -c -o "$dir/bin/$(echo "$rel" | tr / _).test" "./$rel" || return 1
	done
	for ex in examples/*/; do
		[ -f "$ex/main.go" ] || continue
		go build -o "$dir/examples/" "./$ex" || return 1
	done
	mkdir -p "$dir/src" && tar --exclude=./.git -cf - . | (cd "$dir/src" && tar -xf -)
	chmod -R a+rX "$dir"
	chmod 1777 "$dir"
}

# run_mode DIR MODE: run every test binary in DIR/bin from its package
# directory in MODE (root, user, root-ns, user-ns). Prints the verbose
# output; returns non-zero if any binary failed.
run_mode() {
	local dir=$1 mode=$2 bin rel req rc=0 prefix=()
	case $mode in
	root) req=$REQUIRE_ROOT ;;
	user) req=$REQUIRE_USER; prefix=(as_user) ;;
	root-ns) req=$REQUIRE_ROOT_NS; prefix=(unshare -r) ;;
	user-ns) req=$REQUIRE_USER_NS; prefix=(as_user unshare -r) ;;
	*) echo "unknown mode $mode" >&2; return 2 ;;
	esac
	for bin in "$dir"/bin/*.test; do
		rel=$(basename "$bin" .test | tr _ /)
		echo "=== mode $mode: $rel (NONROOT_REQUIRE=$req)"
		(cd "$dir/src/$rel" && "${prefix[@]}" env NONROOT_REQUIRE="$req" \
			NONROOT_EXAMPLES_DIR="$dir/examples" GOTRACEBACK=all \
			"$bin" -test.v -test.timeout=10m ${NONROOT_TEST_ARGS:-}) || { rc=1; echo "--- mode $mode: $rel FAILED"; }
	done
	return $rc
}
