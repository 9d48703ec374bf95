<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** A local file could not be read or written: the schema cache directory or the replay store (OREG_ERR_IO). */
class IoException extends OnderwijsregioException
{
}
