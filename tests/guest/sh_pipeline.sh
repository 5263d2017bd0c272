exec 2>&1
# busybox sh script run as a guest test: pipelines, sh -c, background
# jobs, wait, traps and kill. Output compared with sh_pipeline.expected
# the image's layout changes as it grows: check the pipeline against the
# shell's own glob instead of a fixed listing
n=$(ls / | sort | wc -l)
set -- /*
echo "root entries: ls | sort | wc -l agrees with the glob: $([ "$n" -eq $# ] && echo yes || echo "no ($n vs $#)")"
echo "root has bin, etc and tests: $(ls / | sort | grep -cxE 'bin|etc|tests')"
echo "sh -c: $(sh -c 'echo $((6 * 7))')"
sh -c 'exit 7'
echo "sh -c exit: $?"

sleep 0.2 &
a=$!
(exit 3) &
b=$!
wait $a
echo "wait sleep: $?"
wait $b
echo "wait subshell: $?"

trap 'echo "trap: got USR1"' USR1
kill -USR1 $$
trap - USR1
trap 'echo "trap: EXIT"' EXIT

sleep 30 &
c=$!
kill $c
wait $c
echo "killed job status: $?"
sleep 30 &
c=$!
kill -9 $c
wait $c
echo "kill -9 job status: $?"

false | true
echo "pipeline status: $?"
echo abc | sed s/b/X/ | tr a-z A-Z
seq 1 100 | awk '{ s += $1 } END { print "sum", s }'
printf 'b\na\nc\n' | sort -r | head -2 | xargs echo
for i in 1 2 3; do printf '%s.' $i; done
echo
x=$(cat <<X
here-document
X
)
echo "$x"
d=/tmp/shp.$$
mkdir $d
echo hello >$d/f
cat $d/f
grep -c hello $d/f
(cd $d && ls)
rm -r $d
[ -d $d ] || echo "removed"
echo "done"
