# only direct children can be waited for; the grandchild's exit line may
# come anywhere after it was forked
run: wait grandchild
order: per-name
---
(wait) begin
(wait) create gpid
child: exit(2)
grandchild: exit(3)
(wait) the child wrote its own child's pid
(wait) wait for the grandchild (not a child): -1
(wait) end
wait: exit(0)
