<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** A call was wrong (OREG_ERR_MISUSE: a bad option, an unknown operation, a NUL byte in a string argument): fix the calling code. */
class MisuseException extends OnderwijsregioException
{
}
