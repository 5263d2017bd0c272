# gdb started at the top of the tree reads this once allowed to
# (Documentation/debugging.md): add to ~/.gdbinit
#   add-auto-load-safe-path /path/to/umk/.gdbinit
source scripts/gdb/umk.py
