# Resource limits (daemon/cglimits.c) are part of deployguardd.  Added here, as
# a prerequisite of the daemon (its link rule uses $^), so that components do
# not all edit the same DAEMON_SRCS line.
$(BUILD)/deployguardd: $(call obj,daemon/cglimits.c)
