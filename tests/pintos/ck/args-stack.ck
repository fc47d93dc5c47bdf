# the initial stack, byte for byte: the words "args-stack" "one" "two" "three"
# (11 + 4 + 4 + 6 = 25 bytes) end at USER_STACK, the last word highest;
# argv[0..4] (40 bytes) below them, 16-byte aligned: sp = (USER_STACK - 25 - 40)
# rounded down to 16 = USER_STACK - 80, leaving 80 - 40 - 25 = 15 bytes of padding
run: args-stack one two three
san: yes
---
(args-stack) begin
(args-stack) argc = 4
(args-stack) sp is 16-byte aligned
(args-stack) a1 (argv) equals sp
(args-stack) ra is 0
(args-stack) argv[4] is null
(args-stack) sp = USER_STACK - 80
(args-stack) argv[0] = 'args-stack' at USER_STACK - 25
(args-stack) argv[0] ends where the next word begins
(args-stack) argv[1] = 'one' at USER_STACK - 14
(args-stack) argv[1] ends where the next word begins
(args-stack) argv[2] = 'two' at USER_STACK - 10
(args-stack) argv[2] ends where the next word begins
(args-stack) argv[3] = 'three' at USER_STACK - 6
(args-stack) argv[3] ends where the stack begins
(args-stack) 15 bytes of zero padding between argv[] and the words
(args-stack) end
args-stack: exit(0)
