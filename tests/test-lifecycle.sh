#!/usr/bin/env bash
# nbdkit-golang
# Copyright the nbdkit-golang authors
#
# Redistribution and use in source and binary forms, with or without
# modification, are permitted provided that the following conditions are
# met:
#
# * Redistributions of source code must retain the above copyright
# notice, this list of conditions and the following disclaimer.
#
# * Redistributions in binary form must reproduce the above copyright
# notice, this list of conditions and the following disclaimer in the
# documentation and/or other materials provided with the distribution.
#
# * Neither the name of the copyright holder nor the names of its
# contributors may be used to endorse or promote products derived from
# this software without specific prior written permission.
#
# THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
# "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
# LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
# A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
# HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
# SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
# LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
# DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
# THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
# (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
# OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

# The plugin-level callbacks: --dump-plugin (Info, Dumper, the
# implemented callbacks, phase "dump"), the defaults of a plugin with
# no optional interface, Register called never or twice, and the
# lifecycle in nbdkit's forking mode: Load and the configuration in the
# check process and again in the serving process, then AfterFork,
# PreConnect, Open/Close, Cleanup and Unload.

source "$SRCDIR/functions.sh"
set -e
set -x

requires nbdsh --version
requires nbdinfo --version

features=$(test_plugin features)
minimal=$(test_plugin features-minimal)
noregister=$(test_plugin features-noregister)
twice=$(test_plugin features-twice)
for f in $features $minimal $noregister $twice; do test -f $f; done

# --dump-plugin: the loader's lines, Info, and the plugin's own lines
# (Config ran first: features_bool).
nbdkit $golang_plugin $features bool=on --dump-plugin > $tmpdir/dump
cat $tmpdir/dump
grep '^golang_plugin_name=features$' $tmpdir/dump
grep '^golang_plugin_longname=golib features test plugin$' $tmpdir/dump
grep '^golang_plugin_version=1.2.3$' $tmpdir/dump
grep '^golang_plugin_description=Exercises every callback and helper of golib.$' $tmpdir/dump
# Info().ConfigHelp, one dump line per line of help, in order.
grep '^golang_plugin_config_help=' $tmpdir/dump > $tmpdir/help
cat > $tmpdir/help.expected <<'EOT'
golang_plugin_config_help=size=<SIZE>  The size of the disk.
golang_plugin_config_help=KEY=VALUE    One key per helper.
EOT
diff -u $tmpdir/help.expected $tmpdir/help
grep '^golang_runtime_version=go1\.' $tmpdir/dump
grep '^golang_thread_model=serialize_requests$' $tmpdir/dump
grep '^golang_callbacks=load,unload,config,config_complete,thread_model,get_ready,after_fork,cleanup,dump_plugin,preconnect,list_exports,default_export,open,' $tmpdir/dump
grep '^features_dump=yes$' $tmpdir/dump
grep '^features_phase=dump$' $tmpdir/dump
grep '^features_stdio_safe=true$' $tmpdir/dump
grep '^features_bool=true$' $tmpdir/dump

# A plugin with only the required methods: it has exactly those
# callbacks (and close), and nbdkit's defaults apply to the rest.
nbdkit $golang_plugin $minimal --dump-plugin > $tmpdir/dump
cat $tmpdir/dump
grep '^golang_thread_model=serialize_all_requests$' $tmpdir/dump
grep '^golang_callbacks=open,close,get_size,pread$' $tmpdir/dump
if grep -E '^golang_callbacks=.*(load|config|list_exports|default_export|dump_plugin)' $tmpdir/dump; then
    echo "$0: unimplemented plugin callbacks are reported"
    exit 1
fi
if nbdkit -U - $golang_plugin $minimal colour=red --run true 2> $tmpdir/err; then
    echo "$0: a plugin without Config accepted a parameter"
    exit 1
fi
grep 'colour' $tmpdir/err
nbdkit -U - $golang_plugin $minimal --run '
  set -e
  nbdinfo --list "$uri" > '$tmpdir'/list
  nbdsh -u "$uri" -c "
assert h.pread(4, 0) == b\"mmmm\"
assert h.is_read_only()
assert not h.can_zero()
"'
cat $tmpdir/list
grep '^export="":' $tmpdir/list
test "$(grep -c '^export=' $tmpdir/list)" -eq 1

# Register never called, or called twice: a clear error, nbdkit fails.
for lib in $noregister $twice; do
    if nbdkit -U - $golang_plugin $lib --run true 2> $tmpdir/err; then
        echo "$0: $lib was accepted"
        exit 1
    fi
    cat $tmpdir/err
done
nbdkit -U - $golang_plugin $noregister --run true 2> $tmpdir/err || :
grep 'no plugin registered: call nbdkit.Register from an init function' $tmpdir/err
nbdkit -U - $golang_plugin $twice --run true 2> $tmpdir/err || :
grep 'nbdkit.Register called more than once (for "first" and "second")' $tmpdir/err

# The lifecycle in forking mode (no -f): the Go runtime is started
# only in the process that serves.
start_nbdkit -P $pid -U $sock -v $golang_plugin $features bool=on 2> $tmpdir/log
nbdsh -u "nbd+unix:///full?socket=$sock" -c 'h.pwrite(b"fork" * 128, 0); assert h.pread(512, 0) == b"fork" * 128'
nbdsh -u "nbd+unix:///report?socket=$sock" -c '
r = dict(l.split("=", 1) for l in h.pread(8192, 0).rstrip(b"\0").decode().splitlines())
print(r)
assert r["bool"] == "true"
assert r["phase"] == "serve" and r["phase_after_fork"] == "serve"
assert int(r["count_preconnect"]) == 2
assert int(r["count_open"]) == 2
assert int(r["count_close"]) == 1
'
kill_nbdkit "$(cat $pid)"
cat $tmpdir/log
grep 'features: load in phase check' $tmpdir/log
grep 'features: get_ready in phase check' $tmpdir/log
grep 'features: load in phase serve' $tmpdir/log
grep 'features: get_ready in phase serve' $tmpdir/log
grep 'features: after_fork in phase serve' $tmpdir/log
grep 'features: close full' $tmpdir/log
grep 'features: cleanup' $tmpdir/log
grep 'features: unload' $tmpdir/log
