# Bash tab completion for the Golog consoles: `source tools/completion/golog.bash` (or copy it to
# /etc/bash_completion.d/). Each program answers System.CommandLine's [suggest:POSITION] directive with the words
# that fit there, one a line; this asks it for the line being completed.
_golog_complete() {
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
}
for _golog_program in golog-broker golog-producer golog-consumer golog golog-perf; do
    complete -o default -F _golog_complete "$_golog_program" "./bin/$_golog_program"
done
unset _golog_program
