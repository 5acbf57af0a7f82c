/// \file
/// \brief Everything a lab test needs: include this one header.
#pragma once

#include "ipclab/testing/assertions.hpp"
#include "ipclab/testing/blocking.hpp"
#include "ipclab/testing/bytes.hpp"
#include "ipclab/testing/child.hpp"
#include "ipclab/testing/collector.hpp"
#include "ipclab/testing/deadline.hpp"
#include "ipclab/testing/descriptors.hpp"
#include "ipclab/testing/event.hpp"
#include "ipclab/testing/fixture.hpp"
#include "ipclab/testing/names.hpp"
#include "ipclab/testing/pausing.hpp"
#include "ipclab/testing/producers.hpp"
#include "ipclab/testing/sanitizers.hpp"
#include "ipclab/testing/signals.hpp"
#include "ipclab/testing/sleeping.hpp"
#include "ipclab/testing/umask.hpp"
