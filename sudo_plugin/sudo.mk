# deployguard_sudo.so, the sudo I/O plugin (included from the top-level Makefile).

SUDO_PLUGIN		:= $(BUILD)/deployguard_sudo.so
SUDO_PLUGIN_SRCS	:= sudo_plugin/deployguard_sudo.c sudo_plugin/options.c
SUDO_PLUGIN_OBJS	:= $(call obj,$(SUDO_PLUGIN_SRCS))
# the config parser: with the daemon down, designation comes from its file
SUDO_PLUGIN_LINK	:= $(call obj,daemon/config.c daemon/domain_set.c daemon/util.c) \
			   $(BUILD)/doh_list.o $(BUILD)/libdgclient.a
SUDO_PLUGIN_LDFLAGS	:= -shared -Wl,--version-script=sudo_plugin/deployguard_sudo.map \
			   -Wl,-z,defs -Wl,-z,relro -Wl,-z,now

$(SUDO_PLUGIN): $(SUDO_PLUGIN_OBJS) $(SUDO_PLUGIN_LINK) sudo_plugin/deployguard_sudo.map
	$(CC) $(CFLAGS) $(LDFLAGS) $(SUDO_PLUGIN_LDFLAGS) -o $@ \
		$(SUDO_PLUGIN_OBJS) $(SUDO_PLUGIN_LINK) -laudit

ALL_EXTRA	+= $(SUDO_PLUGIN)
# sudo_plugin.h comes with sudo itself
DEB_DEPS	+= sudo
