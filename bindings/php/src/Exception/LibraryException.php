<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** libonderwijsregio cannot be used in this PHP process. */
class LibraryException extends OnderwijsregioException
{
}
