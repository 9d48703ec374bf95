<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** A PHP value cannot be sent as JSON: a string that is not UTF-8 (found before the library is called), or a value json_encode() refuses. */
class EncodingException extends MisuseException
{
}
