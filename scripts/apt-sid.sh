# Sourced by the scripts that fetch packages from Debian sid
# (scripts/linux-kernel.sh, scripts/bochs-resolve.sh): a private apt
# configuration under the cache, so the machine's own package sources
# and state are never touched.
#
#   apt_sid_setup CACHE  sets APTD (its folder) and APTX (the options
#                        every apt-get / apt-cache call takes); 1 if the
#                        folder cannot be made
#   apt_sid_refresh      refreshes the package lists when they are a day
#                        old or missing; 1 when sid cannot be reached (the
#                        log is $APTD/update.log)

apt_sid_setup() {
	APTD=$1/apt-sid
	mkdir -p "$APTD/etc" "$APTD/lists/partial" "$APTD/archives/partial" \
		"$APTD/cache" || return 1
	echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main' \
		>"$APTD/etc/sources.list"
	APTX=(-o "Dir::Etc::SourceList=$APTD/etc/sources.list"
		-o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$APTD/lists"
		-o "Dir::Cache::Archives=$APTD/archives" -o "Dir::Cache=$APTD/cache"
		-o Dir::State::Status=/dev/null -o APT::Sandbox::User=root)
}

apt_sid_refresh() {
	[ -n "$(find "$APTD/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 | head -1)" ] &&
		return 0
	echo "${0##*/}: refreshing Debian sid's package list" >&2
	timeout 900 apt-get "${APTX[@]}" update -qq >"$APTD/update.log" 2>&1
}
