# Sourced by .ci/colab and .ci/notf: their counts and last line, and their split into a setup phase and a test
# phase (.ci/run runs the setup in the background while other work runs). Set `job` (what their lines begin with),
# `phase` (all, setup or test) and `work` (their folder) first.
passed=0; failed=0
ok() { echo "$job: ok: $*"; passed=$((passed + 1)); }
bad() { echo "$job: FAILED: $*"; failed=$((failed + 1)); }
finish() {   # the last line; in the setup phase, the counts (and that it stopped) go to the test phase instead
    if [ "$phase" = setup ]; then echo "$passed $failed stopped" > "$work/setup-counts"; exit 1; fi
    echo "$job: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?
}
set_up() {   # where the setup ends: the setup phase hands its counts on and stops; the test phase takes them
    if [ "$phase" = setup ]; then echo "$passed $failed" > "$work/setup-counts"; echo "$job: set up ($passed passed, $failed failed)"; exit 0; fi
    if [ "$phase" = test ]; then
        [ -s "$work/setup-counts" ] || { bad "not set up: run it with the phase 'setup' in $work first"; finish; }
        read -r passed failed stopped < "$work/setup-counts"
        [ -z "$stopped" ] || { echo "$job: its setup stopped (see its log)"; finish; }
    fi
}
