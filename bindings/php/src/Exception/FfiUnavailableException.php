<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** PHP's FFI is missing or disabled (the message names the extension and the ini setting ffi.enable). */
class FfiUnavailableException extends LibraryException
{
}
